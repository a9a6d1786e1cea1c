"""The live citizen answer catalogue on the case service (docs/content_editing.md).

- ``yaml_io``: read the reviewed YAML (``knowledge/citizen``, ``nlu_data/faq``), write the export;
- ``store``: versions, drafts, publish / retire / restore / rollback, the revision counter;
- ``importer``: the YAML import with its conflict rules;
- ``checks``: what must hold before an entry is published (quote, readability, source, ...);
- ``live``: the cached ``CatalogueSnapshot`` the Rasa side polls;
- ``preview``: the client of the Rasa server's preview endpoint.

The types that cross to the Rasa side are ``kkshared.catalogue``'s.
"""
