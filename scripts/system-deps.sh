#!/usr/bin/env bash
# Debian packages the test suite needs: a MariaDB server (MLMD-in-MySQL and MLflow-in-MySQL
# tests start their own on 127.0.0.1), a PostgreSQL server (the MLflow-in-Postgres tests
# start their own), the psql client, openssl, chromium and a Java 17 runtime (the Spark
# target's tests, docs/spark.md). Installs only what is missing; needs root or sudo.
set -euo pipefail
missing=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
# postgresql: initdb and postgres, in /usr/lib/postgresql/VERSION/bin (tests/postgres_server.py).
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
# psql: the `graphlets serve` tests query the server with the real PostgreSQL client.
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
# openssl: the TLS tests of `graphlets serve` make a self-signed certificate with it.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# chromium: the report tests open the HTML report in a real headless browser.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# java: pyspark's local SparkSession runs in a JVM (tests/test_spark.py, docs/spark.md).
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
