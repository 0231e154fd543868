"""The module registry: manifests discovered under ``nexo.modules`` at start-up, validated, then frozen."""
