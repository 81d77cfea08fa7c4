//! A 2-layer classifier in plain Rust (no crates): sigmoid hidden layer, softmax output,
//! cross-entropy averaged over a fixed batch of 8 points (2 features, 2 classes).
//!
//!     cargo build --release
//!     target/release/tinynet                  train and print the loss: it climbs, one class wins
//!     target/release/tinynet --fixed          the corrected backward pass: it learns
//!     target/release/tinynet --serve          answer backpropdoctor's exec protocol on stdin/stdout
//!
//! `backpropdoctor check --exec "target/release/tinynet --serve"` names the bug; add `--fixed` and it passes.
//! The bug is the output error written `target - prediction` (see `backward`); the protocol is in
//! docs/exec-protocol.md of backpropdoctor, and `serve` below is a complete implementation of it.

use std::env;
use std::io::{self, BufRead, Write};

const INPUTS: usize = 2;
const HIDDEN: usize = 4;
const CLASSES: usize = 2;

/// Points on two rings: class 1 inside, class 0 outside.
const X: [[f64; INPUTS]; 8] = [
    [0.2, 0.1],
    [-0.1, 0.3],
    [0.25, -0.2],
    [-0.3, -0.1],
    [1.1, 0.9],
    [-1.2, 0.8],
    [0.9, -1.3],
    [-1.0, -1.1],
];
const Y: [usize; 8] = [1, 1, 1, 1, 0, 0, 0, 0];

/// Parameters, each a flat row-major matrix: `w1[i * HIDDEN + j]` joins input i to hidden unit j.
struct Net {
    w1: Vec<f64>, // INPUTS x HIDDEN
    b1: Vec<f64>, // HIDDEN
    w2: Vec<f64>, // HIDDEN x CLASSES
    b2: Vec<f64>, // CLASSES
}

const SHAPES: [(&str, &[usize]); 4] = [
    ("W1", &[INPUTS, HIDDEN]),
    ("b1", &[HIDDEN]),
    ("W2", &[HIDDEN, CLASSES]),
    ("b2", &[CLASSES]),
];

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A small deterministic generator, so every run starts from the same weights.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

impl Net {
    fn new() -> Net {
        let mut rng = Lcg(7);
        let mut draw =
            |n: usize, scale: f64| (0..n).map(|_| rng.uniform() * scale).collect::<Vec<f64>>();
        Net {
            w1: draw(INPUTS * HIDDEN, 1.5),
            b1: vec![0.0; HIDDEN],
            w2: draw(HIDDEN * CLASSES, 1.0),
            b2: vec![0.0; CLASSES],
        }
    }

    fn tensors(&self) -> [&Vec<f64>; 4] {
        [&self.w1, &self.b1, &self.w2, &self.b2]
    }

    fn tensor_mut(&mut self, name: &str) -> Option<&mut Vec<f64>> {
        match name {
            "W1" => Some(&mut self.w1),
            "b1" => Some(&mut self.b1),
            "W2" => Some(&mut self.w2),
            "b2" => Some(&mut self.b2),
            _ => None,
        }
    }

    /// Hidden activations and output probabilities for one sample.
    fn forward(&self, x: &[f64; INPUTS]) -> ([f64; HIDDEN], [f64; CLASSES]) {
        let mut h = [0.0; HIDDEN];
        for j in 0..HIDDEN {
            let z: f64 = (0..INPUTS)
                .map(|i| x[i] * self.w1[i * HIDDEN + j])
                .sum::<f64>()
                + self.b1[j];
            h[j] = sigmoid(z);
        }
        let mut logits = [0.0; CLASSES];
        for k in 0..CLASSES {
            logits[k] = (0..HIDDEN)
                .map(|j| h[j] * self.w2[j * CLASSES + k])
                .sum::<f64>()
                + self.b2[k];
        }
        let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logits.iter().map(|z| (z - top).exp()).sum();
        let mut p = [0.0; CLASSES];
        for k in 0..CLASSES {
            p[k] = (logits[k] - top).exp() / total;
        }
        (h, p)
    }

    /// Mean cross-entropy over the batch.
    fn loss(&self) -> f64 {
        let n = X.len() as f64;
        X.iter()
            .zip(Y.iter())
            .map(|(x, &y)| -self.forward(x).1[y].ln())
            .sum::<f64>()
            / n
    }

    /// dLoss/dparameter for every tensor, in the order of SHAPES.
    fn backward(&self, fixed: bool) -> [Vec<f64>; 4] {
        let n = X.len() as f64;
        let mut g = [
            vec![0.0; INPUTS * HIDDEN],
            vec![0.0; HIDDEN],
            vec![0.0; HIDDEN * CLASSES],
            vec![0.0; CLASSES],
        ];
        for (x, &y) in X.iter().zip(Y.iter()) {
            let (h, p) = self.forward(x);
            let mut delta_out = [0.0; CLASSES];
            for k in 0..CLASSES {
                let target = if k == y { 1.0 } else { 0.0 };
                // The error at the output. The sign is the bug: softmax + cross-entropy gives p - target.
                delta_out[k] = if fixed { p[k] - target } else { target - p[k] };
            }
            for j in 0..HIDDEN {
                let mut back = 0.0;
                for k in 0..CLASSES {
                    g[2][j * CLASSES + k] += h[j] * delta_out[k] / n;
                    back += self.w2[j * CLASSES + k] * delta_out[k];
                }
                let delta_hidden = back * h[j] * (1.0 - h[j]);
                for i in 0..INPUTS {
                    g[0][i * HIDDEN + j] += x[i] * delta_hidden / n;
                }
                g[1][j] += delta_hidden / n;
            }
            for k in 0..CLASSES {
                g[3][k] += delta_out[k] / n;
            }
        }
        g
    }

    fn train(&mut self, fixed: bool) {
        let rate = 1.0;
        for epoch in 0..=150 {
            if epoch % 25 == 0 {
                let predicted: Vec<usize> = X
                    .iter()
                    .map(|x| {
                        let p = self.forward(x).1;
                        if p[1] > p[0] {
                            1
                        } else {
                            0
                        }
                    })
                    .collect();
                let right = predicted
                    .iter()
                    .zip(Y.iter())
                    .filter(|(a, b)| a == b)
                    .count();
                println!(
                    "epoch {:3}  loss {:8.4}  accuracy {}/{}  predicted {:?}",
                    epoch,
                    self.loss(),
                    right,
                    X.len(),
                    predicted
                );
            }
            let grads = self.backward(fixed);
            for (name, grad) in SHAPES.iter().map(|s| s.0).zip(grads.iter()) {
                let tensor = self.tensor_mut(name).unwrap();
                for (w, d) in tensor.iter_mut().zip(grad.iter()) {
                    *w -= rate * d;
                }
            }
        }
    }
}

/// One tensor as one line of numbers; `{:e}` prints the shortest text that reads back exactly.
fn line(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{:e}", v))
        .collect::<Vec<String>>()
        .join(" ")
}

/// The reply to one protocol command (without its final newline).
fn answer(net: &mut Net, fixed: bool, words: &[&str]) -> Result<String, String> {
    match words {
        ["params"] => Ok(net
            .tensors()
            .iter()
            .map(|t| line(t))
            .collect::<Vec<String>>()
            .join("\n")),
        ["batch"] => {
            let inputs: Vec<f64> = X.iter().flat_map(|x| x.iter().cloned()).collect();
            let labels: Vec<f64> = Y.iter().map(|&y| y as f64).collect();
            Ok(format!("{}\n{}", line(&inputs), line(&labels)))
        }
        ["loss"] => Ok(format!("{:e}", net.loss())),
        ["grads"] => Ok(net
            .backward(fixed)
            .iter()
            .map(|g| line(g))
            .collect::<Vec<String>>()
            .join("\n")),
        ["set", name, values @ ..] => {
            let tensor = net
                .tensor_mut(name)
                .ok_or(format!("no parameter {}", name))?;
            if values.len() != tensor.len() {
                return Err(format!(
                    "{} has {} values, got {}",
                    name,
                    tensor.len(),
                    values.len()
                ));
            }
            let parsed: Result<Vec<f64>, _> = values.iter().map(|v| v.parse::<f64>()).collect();
            *tensor = parsed.map_err(|e| format!("bad number: {}", e))?;
            Ok("ok".to_string())
        }
        ["set1", name, index, value] => {
            let tensor = net
                .tensor_mut(name)
                .ok_or(format!("no parameter {}", name))?;
            let i: usize = index.parse().map_err(|_| format!("bad index {}", index))?;
            let slot = tensor
                .get_mut(i)
                .ok_or(format!("index {} out of range for {}", i, name))?;
            *slot = value
                .parse::<f64>()
                .map_err(|e| format!("bad number {}: {}", value, e))?;
            Ok("ok".to_string())
        }
        _ => Err(format!("unknown command {}", words.join(" "))),
    }
}

fn serve(net: &mut Net, fixed: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "backpropdoctor 1")?;
    for (name, shape) in SHAPES.iter() {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        writeln!(out, "param {} {}", name, dims.join(" "))?;
    }
    writeln!(out, "input {} {}\ntarget {}\nend", X.len(), INPUTS, Y.len())?;
    out.flush()?;
    for command in io::stdin().lock().lines() {
        let command = command?;
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            [] => continue,
            ["quit"] => break,
            _ => match answer(net, fixed, &words) {
                Ok(reply) => writeln!(out, "{}", reply)?,
                Err(message) => writeln!(out, "error {}", message)?,
            },
        }
        out.flush()?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let fixed = args.iter().any(|a| a == "--fixed");
    let mut net = Net::new();
    if args.iter().any(|a| a == "--serve") {
        if let Err(e) = serve(&mut net, fixed) {
            eprintln!("tinynet: {}", e);
            std::process::exit(1);
        }
    } else {
        net.train(fixed);
    }
}
