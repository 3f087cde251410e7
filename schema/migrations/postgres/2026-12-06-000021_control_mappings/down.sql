DROP TABLE control_mappings;
