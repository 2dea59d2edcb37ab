"""Where the portal's pages find the IIIF services of a dossier (``digitalisering.iiif``, mounted at
``/iiif``): its Presentation 3 manifest (which names the image service of every page and the
Content Search service) and a page's thumbnail from the Image API. None while the app has no IIIF
services."""

from __future__ import annotations

from flask import current_app, url_for


def available() -> bool:
    return bool(current_app.extensions.get("digitalisering.iiif"))


def manifest_url(dossier) -> str | None:
    if not available():
        return None
    return url_for("iiif.manifest", batch=dossier.batch, dossier_id=dossier.id)


def thumbnail_url(dossier, page, height: int = 200) -> str | None:
    if not available():
        return None
    return url_for("iiif.image", batch=dossier.batch, seq=page.seq, region="full", size=f",{height}",
                   rotation="0", quality_format="default.jpg")
