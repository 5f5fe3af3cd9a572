"""The authoring room: the tools that write what is derived from ``schemas/`` and guard how it evolves.

``bundle`` writes the standalone schemas, ``docs`` the reference pages, ``asyncapi`` the AsyncAPI documents, and
``compat`` compares two schema directories. Nothing in the runtime imports them.
"""
