"""A review's archive (§33): the whole record in one .zip whose ``manifest.json`` lists every
file's SHA-256 and SM3 (the format: ``reviews.manifest``, docs/archive.md). ``build`` makes it,
``parts`` reads the record, ``documents`` renders the PDF/A files, ``api`` and ``views`` serve it
to the secretariat and the commission (``consultations.consolidation.rules.can_download_archive``)."""
