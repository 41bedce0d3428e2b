"""The floor's configuration: departments and their hours, languages, the prompt catalogue,
and the cache that makes an edit heard on the next call in every process.

Low in the layers (docs/architecture.md): the IVR, the queue, customers, agents, voicemail
and the pages all read it, and it imports none of them. Packages put their shipped prompts in
the catalogue with `prompts.register_defaults(app, ...)`, in English; `locales/` has one module
per language (its row and its texts of every package's prompts). The API and CLI that edit this
configuration are the IVR's (`/api/prompts`, `/api/departments`, `flask prompts`, ...).
"""
