"""Reading and checking content files: YAML with lines, HTML, Markdown, problems, ui texts.

``yamlio`` loads YAML keeping line numbers, ``errors`` carries problems for the author
(file:line: where: what (hint)), ``validation`` and ``loading`` turn schema errors into them,
``html`` and ``markdown`` check and convert text, ``texts`` holds the interface texts of ui.yml.
The kinds of content themselves are loaded where they are used (``bot.domain.library``,
``bot.coach``, ``bot.safety``, ``bot.flows``).

May import: nothing else from ``bot`` but ``bot.ops``; everything builds on this package.
"""
