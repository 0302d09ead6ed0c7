"""Core pieces every app uses: domain events, the clock, domain errors and the text analyser."""
