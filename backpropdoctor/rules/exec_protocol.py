"""The program checked with --exec does not speak the exec protocol.

## What it means
`backpropdoctor check --exec "COMMAND"` starts your program and talks to it
over stdin and stdout in the line protocol of `docs/exec-protocol.md`. This
rule fires when that conversation cannot happen: the command is not found or
not executable, the first line is not `backpropdoctor 1`, a `param` line is
malformed, or a reply is not what the command asks for (a line that is not
numbers, a tensor with the wrong count of values, something other than `ok`
after `set`). The report quotes the offending line and says what was
expected.

## Why it breaks training
It says nothing about your gradients yet: nothing can be compared until the
numbers arrive. The usual cause is a debug print on stdout, which the
protocol reads as a reply; the next most common is a tensor written in
several lines (one per row) instead of one line of all its values.

## How it looks in code
```rust
println!("epoch {} loss {}", epoch, loss);      // WRONG: stdout is the protocol
for row in &w1 {                                // WRONG: one line per row
    println!("{}", join(row));
}
```

## The fix
```rust
eprintln!("epoch {} loss {}", epoch, loss);     // your own messages go to stderr
let all: Vec<String> = w1.iter().flatten().map(|v| format!("{:e}", v)).collect();
println!("{}", all.join(" "));                  // one tensor = one line, row-major
```
Flush stdout after every reply, and build the program before checking it:
`--exec "./target/release/net --serve"` rather than `cargo run`.
"""

from .base import Rule

RULE = Rule(
    name="exec-protocol",
    severity="error",
    category="input",
    summary="The program run with --exec does not start, or breaks the line protocol of docs/exec-protocol.md.",
    doc=__doc__,
)
