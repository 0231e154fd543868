from pathlib import Path

from nexo.platform.modules.manifest import Manifest, NavEntry, Scope

MANIFEST = Manifest(
    key="directory",
    name="Directory",
    description="Organizations and people shared by every module: a customer is entered once and seen everywhere.",
    models="nexo.modules.directory.models",
    home="nexo.modules.directory.home:cards",
    migrations=Path(__file__).parent / "migrations",
    scopes=(
        Scope("directory.read", "See organizations and people in the directory"),
        Scope("directory.write", "Create and change organizations and people in the directory"),
    ),
    navigation=(NavEntry("Directory", "directory/people"),),
    always_on=True,
    controllers=("nexo.modules.directory.pages:PeoplePages",),
    api_controllers=("nexo.modules.directory.api:PeopleApi", "nexo.modules.directory.api:OrganizationsApi"),
)
