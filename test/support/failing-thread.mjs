// A validation thread entry that cannot start (what a broken install would give).
throw new Error('this validation thread cannot start');
