DROP TABLE workload_exchanges;
