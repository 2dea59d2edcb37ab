"""IIIF for the portal: the page images through the Image API 3 (``imageapi``: request checks and
info.json; ``pyramid``: tiled pyramids made once per page with libvips, rendering, the tile cache),
a Presentation 3 manifest per dossier (``manifest``, built with iiif-prezi3), Content Search 2.0 from
the page words (``search``), their addresses (``urls``) and the Flask Blueprint that serves them all
behind the portal's access decision (``web.iiif_blueprint``). Everything is read through
``digitalisering.catalog``."""
