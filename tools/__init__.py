"""Developer tooling behind ./kk (stdlib only; runs on the machine's default python3)."""
