#!/usr/bin/env python3
"""The Container Apps job manifests in deploy/containerapps/ as azure-cli
reads them: `az containerapp job create --yaml` loads a file with
yaml.safe_load, which accepts exactly one document, then sends it as the
Microsoft.App/jobs resource. Checks that each file is one document with the
fields that resource requires and the ones this job relies on (registry,
Key Vault secret by secretRef, managed identity, timeouts, retries).

Usage: manifests_test.py DEPLOY_DIR   (exit 0 when every check passes)
"""
import pathlib
import sys

import yaml

TRIGGER_CONFIG = {"Manual": "manualTriggerConfig", "Schedule": "scheduleTriggerConfig"}


def check(path: pathlib.Path) -> list[str]:
    errors = []
    fail = errors.append
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:  # e.g. "expected a single document in the stream"
        return [f"not one YAML document: {e}"]
    if not isinstance(doc, dict):
        return ["top level is not a mapping"]
    props = doc.get("properties") or {}
    config = props.get("configuration") or {}
    template = props.get("template") or {}
    for key, value in [("location", doc.get("location")),
                       ("properties.environmentId", props.get("environmentId")),
                       ("configuration.triggerType", config.get("triggerType")),
                       ("configuration.replicaTimeout", config.get("replicaTimeout"))]:
        if value in (None, ""):
            fail(f"{key} is required")
    trigger = config.get("triggerType")
    if trigger not in TRIGGER_CONFIG:
        fail(f"triggerType {trigger!r}: this job is Manual or Schedule")
    else:
        trigger_config = config.get(TRIGGER_CONFIG[trigger]) or {}
        if trigger == "Schedule" and len(str(trigger_config.get("cronExpression", "")).split()) != 5:
            fail("scheduleTriggerConfig.cronExpression needs five fields")
        parallelism = trigger_config.get("parallelism", 0)
        completions = trigger_config.get("replicaCompletionCount", 0)
        if not (isinstance(parallelism, int) and parallelism >= 1 and completions == parallelism):
            fail(f"{TRIGGER_CONFIG[trigger]}: parallelism and replicaCompletionCount must be equal and >= 1")
    timeout = config.get("replicaTimeout")
    if not isinstance(timeout, int) or not 60 <= timeout <= 86400:
        fail("replicaTimeout must be whole seconds from 60 to 86400")
    retries = config.get("replicaRetryLimit")
    if not isinstance(retries, int) or retries < 0:
        fail("replicaRetryLimit must be set (0 or more)")

    identity = doc.get("identity") or {}
    assigned = list((identity.get("userAssignedIdentities") or {}).keys())
    if identity.get("type") != "UserAssigned" or len(assigned) != 1:
        fail("identity: one user-assigned identity (usable by secrets and registries at creation)")
    registries = config.get("registries") or []
    if not registries or any(r.get("identity") not in assigned or not r.get("server")
                             for r in registries):
        fail("registries: each needs a server and the job's identity (AcrPull)")
    secrets = {s.get("name"): s for s in config.get("secrets") or []}
    for name, secret in secrets.items():
        if "value" in secret:
            fail(f"secret {name}: a literal value; use keyVaultUrl")
        if not str(secret.get("keyVaultUrl", "")).startswith("https://") or \
                secret.get("identity") not in assigned:
            fail(f"secret {name}: needs keyVaultUrl and the job's identity")

    containers = template.get("containers") or []
    if len(containers) != 1:
        fail("template.containers: exactly one container")
    for c in containers:
        if not c.get("name") or not c.get("image"):
            fail("container: name and image are required")
        if not str(c.get("image", "")).split("/")[0] in {r.get("server") for r in registries}:
            fail("container image is not from a listed registry")
        env = {e.get("name"): e for e in c.get("env") or []}
        dsn = env.get("POSTGRES_DSN")
        if dsn is None or dsn.get("secretRef") not in secrets or "value" in dsn:
            fail("POSTGRES_DSN must come from a secretRef to a Key Vault secret")
        args = c.get("args") or []
        if "run" in args and "AZURE_CLIENT_ID" not in env:
            fail("a run needs AZURE_CLIENT_ID to pick the user-assigned identity for storage")
        if "--shard" in args and retries and "auto/" in args[args.index("--shard") + 1]:
            shard_count = int(args[args.index("--shard") + 1].split("/")[1])
            if shard_count != parallelism:
                fail(f"--shard auto/{shard_count} but parallelism {parallelism}")
    return errors


def main() -> int:
    deploy = pathlib.Path(sys.argv[1])
    files = sorted((deploy / "containerapps").glob("*.yaml"))
    names = {f.name for f in files}
    missing = {"daily.yaml", "rebuild.yaml", "migrate.yaml"} - names
    failed = bool(missing)
    if missing:
        print(f"missing manifests: {sorted(missing)}")
    for f in files:
        errors = check(f)
        for e in errors:
            print(f"{f.name}: {e}")
        print(f"{f.name}: {'FAIL' if errors else 'ok'}")
        failed |= bool(errors)
    # The checker itself must refuse what azure-cli refuses.
    two_docs = deploy / "containerapps" / "daily.yaml"
    try:
        yaml.safe_load(two_docs.read_text() + "\n---\nlocation: x\n")
        print("self-check: two documents were accepted")
        failed = True
    except yaml.YAMLError:
        pass
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
