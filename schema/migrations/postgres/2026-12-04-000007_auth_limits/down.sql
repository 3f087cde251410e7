DROP TABLE login_forms;
DROP TABLE address_failures;
