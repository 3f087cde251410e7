DROP TABLE bundles;
