"""TEST DOUBLE of `sglang.srt` (tests only): the argument parser's contract, nothing else."""
