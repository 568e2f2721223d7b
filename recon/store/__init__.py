"""The run store: run history, exception lifecycle, acknowledgements, the state lock and `trace`.

`recon.store.step.RunStore` is the store's part in a run; `recon.store.state.StateStore` opens the
state file for the commands that read it (`recon history`, `recon ack`, `recon trace`).
"""
