#!/bin/bash
# usage: .cold-prof.sh <bundle dir> <label>
rm -rf /tmp/cp/$2; mkdir -p /tmp/cp/$2
for i in 1 2 3; do env -i PATH=$PATH AWS_REGION=eu-west-1 AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true LEDGER_TABLE_NAME=t DATABRICKS_SECRET_ID=s GOOGLE_KEY_SECRET_ID=g node --cpu-prof --cpu-prof-interval 100 --cpu-prof-dir=/tmp/cp/$2 $1/index.mjs; done
