"""The MIS import, in one place: CSV files of the roll (children) and the staff list, previewed,
confirmed and run in the background in batches.

- `jobs`: the import job's life (preview, confirm, claim, batches, finish, restore leavers) and
  the children's rows;
- `staff`: reading a CSV file safely, and the staff list's rows, applied through the accounts
  services so the console's rules hold for every row.
"""
