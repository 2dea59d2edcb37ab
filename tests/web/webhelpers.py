"""Shared by the web tests (a module name of its own: pytest imports every conftest as 'conftest')."""

from __future__ import annotations

import re

from digitalisering.web import users

HOST = "127.0.0.1:8080"
OWN = {"Host": HOST, "Origin": f"http://{HOST}"}
PASSWORDS = {"mia": "mia-wachtwoord-1", "anna": "anna-wachtwoord-2", "bert": "bert-wachtwoord-3"}
ROLES = {"mia": users.MEDEWERKER, "anna": users.ARCHIVARIS, "bert": users.BEHEERDER}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def sign_in(client, name: str, password: str | None = None):
    html = client.get("/aanmelden", headers={"Host": HOST}).get_data(as_text=True)
    return client.post("/aanmelden", headers=OWN,
                       data={"csrf_token": csrf(html), "name": name, "password": password or PASSWORDS[name]})


def open_all(store, workspace, batch_name: str, except_ids: tuple[str, ...] = ()) -> None:
    """An archivist's decision 'open' on every published document of the batch (but ``except_ids``):
    without a decision nothing is public."""
    from digitalisering.access.policy import AccessDecision, decide, load_settings
    from digitalisering.catalog import Catalog

    batch = store.find_batch(name=batch_name)
    settings = load_settings()
    for dossier in Catalog(store, workspace).dossiers(batch_name):
        for doc in dossier.documents:
            if doc.id not in except_ids:
                decide(store, batch, AccessDecision(doc.id, "open", reason="openbaar na beoordeling", who="anna",
                                                    source="archivist"), settings)
