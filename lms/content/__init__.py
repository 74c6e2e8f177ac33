"""Content: modules and programs as files in content/, loaded, checked and synced to the database.

`loader` and `yamlfile` read and validate the files, `markdown` renders and sanitises,
`checks` and `gift` are the authoring tools, `diff` compares versions, `sync` writes them.
"""
