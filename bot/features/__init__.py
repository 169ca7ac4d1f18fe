"""Features of the conversation, one module each.

Each has `register(router)` and imports no other feature: what several of them show lives in
`bot/views.py`, and the hooks they offer each other are on the router (`consent_prompt`,
`resumer`, `menu`, `result_buttons`, …). The program is assembled in `bot/cli.py`.
"""
