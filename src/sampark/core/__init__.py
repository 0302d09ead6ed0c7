"""Core pieces every app uses: domain events, the clock, domain errors, the text analyser, and
the state every server process must share (rate-limit windows)."""
