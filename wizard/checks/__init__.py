"""The check catalogue: one module per id prefix (`env`, `net`, `agent`, `ext`, `res`)."""
