"""Everything the tests share that is not a test (tests never import each other).

- `config`: the test configuration, the staff id, the catalogs compiled once;
- `clock`: clocks the tests control;
- `script`: the scripted owners (eligible and not yet), as steps for every driver;
- `owner`: the core's chat driver, and the one button finder;
- `harness`: the real Telegram Application against the fake, and its chat driver;
- `terminal`: the terminal chat's driver (the real command, piped input);
- `fakebotapi`: the fake Telegram Bot API on 127.0.0.1;
- `transport`: a recording transport for the sender;
- `sending`: bounded waits for the sender's real loop;
- `sessionkit`, `population`: owners, sessions and sign-ups written straight into a database.
"""
