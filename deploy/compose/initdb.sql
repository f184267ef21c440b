-- One database and one login role per service (database-per-service): no service can read
-- another's tables. Run once by the postgres image on an empty data volume.
-- Laptop-only credentials; production databases and roles are provisioned outside this repo.
CREATE ROLE intake LOGIN PASSWORD 'intake';
CREATE DATABASE intake OWNER intake;
CREATE ROLE monitoring LOGIN PASSWORD 'monitoring';
CREATE DATABASE monitoring OWNER monitoring;
CREATE ROLE standards LOGIN PASSWORD 'standards';
CREATE DATABASE standards OWNER standards;
CREATE ROLE notifications LOGIN PASSWORD 'notifications';
CREATE DATABASE notifications OWNER notifications;
