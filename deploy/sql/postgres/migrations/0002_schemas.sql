-- Schemas of the serving database: core (shared reference data), ranking
-- (this job's serving copy), backtest (research results).
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ranking;
CREATE SCHEMA IF NOT EXISTS backtest;
