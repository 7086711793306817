#!/bin/sh
# Read by catalina.sh at start: JVM options for the app server.
export CATALINA_OPTS="$CATALINA_OPTS -XX:MaxRAMPercentage=75 -Djava.security.egd=file:/dev/urandom"
