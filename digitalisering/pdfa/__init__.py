"""PDF output: page images encoded for the archive, an invisible text layer, one PDF per dossier."""
