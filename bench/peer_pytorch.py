#!/usr/bin/python3
"""peer_pytorch.py - cifarbench's reference network trained with PyTorch on the CPU, as a peer.

Trains exactly the network `cifarbench train` trains, on the same CIFAR-10 binary files, and
writes its results as a "cifarbench-result" v1 train file, so that `cifarbench report` and
`cifarbench compare` read it next to cifarbench's own:

  input NHWC 32x32x3, pixels / 255
  conv 3->8 3x3 same + bias + ReLU, maxpool 2, conv 8->8 3x3 same + bias + ReLU, maxpool 2,
  flatten in channels-last order (512), dense 512->32 + ReLU, dense 32->10,
  softmax + sparse categorical cross-entropy (mean over the batch),
  Adam lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-7, batch 32 (the last partial batch is kept),
  Glorot-uniform weights, zero biases, a new shuffle every epoch.

--memory-format channels_last (default) holds the images NHWC, as cifarbench does (converted
from the files' planar RGB once, at load), and runs the convolutions and pools channels-last
(PyTorch's tensors stay N,C,H,W-indexed; only their strides are NHWC); that is also PyTorch's
faster CPU path here (oneDNN). --memory-format contiguous holds and runs everything NCHW. Either
way the activations are flattened in channels-last order (h, w, c), so that the 512 inputs of
dense1 come in cifarbench's (Keras') order and the weights mean the same thing.

--init cifarbench (default) reproduces cifarbench's xoshiro256** generator: the same initial
weights (HWIO / [In][Out] converted to PyTorch's layouts) and the same shuffle of every epoch
for the same --seed, so that the loss and accuracy of both programs can be compared run for run:
with --adam keras as well, the first steps agree to float rounding (loss to ~1e-7), and later
epochs drift apart only as rounding differences grow. --init torch draws them with
torch.manual_seed instead. (PyTorch's own results also vary a little with --threads, unlike
cifarbench's, whose weights are identical at every thread count.)

--adam torch (default) is torch.optim.Adam (what a PyTorch user runs); its eps is added to
sqrt(v)/sqrt(1 - beta2^t), i.e. eps * sqrt(1 - beta2^t) is added to sqrt(v) (the paper's form),
while cifarbench, like Keras, adds eps to sqrt(v) itself:
    cifarbench / Keras:  p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)
    torch.optim.Adam:    p -= lr / (1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
With eps = 1e-7 the difference is negligible once v is not tiny. --adam keras runs the Keras
form exactly (torch._foreach_* ops).

Timed like cifarbench: an epoch's seconds cover batch assembly (gather the batch's bytes, convert
to float / 255) and the training step (forward, loss, backward, Adam), plus the loss and
accuracy bookkeeping; the shuffle happens before the clock starts and the evaluation of the
test images (batches of max(256, --batch), no gradients) is timed separately (eval_seconds).

Needs python3-torch (Debian: apt-get install -y python3-torch) and numpy; run it with
/usr/bin/python3 (the system Python, where Debian installs them). Debian's torch calls the BLAS
behind libblas.so.3 for the dense layers: the reference BLAS unless OpenBLAS is installed
(apt-get install -y libopenblas0-openmp, which also shares torch's OpenMP threads); the file
records which one ran (context.torch_blas, shown as "build flags" by cifarbench report).
"""

import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

NETWORK = "conv3-8,pool,conv8-8,pool,dense512-32,dense32-10,softmax-xent"
LOSS = "softmax-xent"
IMAGE_BYTES = 3 * 32 * 32
RECORD_BYTES = 1 + IMAGE_BYTES
TRAIN_FILES = ["data_batch_%d.bin" % i for i in range(1, 6)]
TEST_FILE = "test_batch.bin"
EVAL_BATCH = 256  # as cifarbench: evaluation runs in batches of max(256, --batch)
ADAM_LR, ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 1e-3, 0.9, 0.999, 1e-7
DEFAULT_DATA = ["../shared/cifar10/cifar-10-batches-bin", "/work/shared/cifar10/cifar-10-batches-bin"]


def flops_per_image():
    """Multiply-adds x 2 per image, counted as cifarbench counts them (forward, train)."""
    conv1 = 32 * 32 * 8 * (3 * 9) * 2
    conv2 = 16 * 16 * 8 * (8 * 9) * 2
    dense1 = 512 * 32 * 2
    dense2 = 32 * 10 * 2
    forward = conv1 + conv2 + dense1 + dense2
    # backward: weights of every layer, data of every layer but the first
    backward = conv1 + 2 * conv2 + 2 * dense1 + 2 * dense2
    return forward + backward, forward  # 1869696, 770688


class Fail(Exception):
    """An error reported as 'peer_pytorch: message' with exit status 1."""


# ---- cifarbench's random number generator (harness/rng.h) -----------------------------------

M64 = (1 << 64) - 1


class CbRng:
    """xoshiro256** seeded through splitmix64, as cb_rng: the same seed, the same sequence."""

    def __init__(self, seed):
        x = seed & M64
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            s.append(z ^ (z >> 31))
        if not any(s):
            s[0] = 1
        self.s = s

    def u64(self):
        s0, s1, s2, s3 = self.s
        r = (((s1 * 5) & M64) << 7 | ((s1 * 5) & M64) >> 57) & M64
        result = (r * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self):
        return (self.u64() >> 40) * (1.0 / 16777216.0)

    def below(self, n):
        if n == 0:
            return 0
        m = (self.u64() >> 32) * n
        low = m & 0xFFFFFFFF
        if low < n:
            threshold = ((1 << 32) - n) % n
            while low < threshold:
                m = (self.u64() >> 32) * n
                low = m & 0xFFFFFFFF
        return m >> 32

    def shuffle(self, a):
        """Fisher-Yates from the end, in place on a Python list (cb_rng_shuffle_i32)."""
        for i in range(len(a) - 1, 0, -1):
            j = self.below(i + 1)
            a[i], a[j] = a[j], a[i]


def glorot_cifarbench(rng, np, shape, fan_in, fan_out):
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    count = 1
    for d in shape:
        count *= d
    w = [(2.0 * rng.uniform() - 1.0) * limit for _ in range(count)]
    return np.array(w, dtype=np.float64).astype(np.float32).reshape(shape)


# ---- data -----------------------------------------------------------------------------------


def read_records(np, path, expect_records=None):
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise Fail("cannot read %s: %s" % (path, e.strerror or e))
    if raw.size == 0 or raw.size % RECORD_BYTES:
        raise Fail("%s: %d bytes is not a whole number of %d-byte CIFAR-10 records" % (path, raw.size, RECORD_BYTES))
    rec = raw.reshape(-1, RECORD_BYTES)
    if expect_records and rec.shape[0] != expect_records:
        raise Fail("%s: %d records, expected %d" % (path, rec.shape[0], expect_records))
    labels = rec[:, 0]
    if labels.max() > 9:
        raise Fail("%s: a label is %d, CIFAR-10 labels are 0..9" % (path, int(labels.max())))
    # planar RGB: [N, 3, 32, 32] is NCHW as it stands
    return rec[:, 1:].reshape(-1, 3, 32, 32), labels.astype(np.int64)


def find_data(cli_dir):
    if cli_dir:
        return cli_dir, "--data"
    env = os.environ.get("CIFARBENCH_DATA")
    if env:
        return env, "CIFARBENCH_DATA"
    for d in DEFAULT_DATA:
        if os.path.isdir(d):
            return d, "default location"
    raise Fail("no CIFAR-10 found: give --data DIR or set CIFARBENCH_DATA (searched %s)" % ", ".join(DEFAULT_DATA))


def load_cifar10(np, d):
    missing = [f for f in TRAIN_FILES + [TEST_FILE] if not os.path.isfile(os.path.join(d, f))]
    if missing:
        raise Fail("%s: missing %s (the CIFAR-10 binary version: data_batch_1..5.bin, test_batch.bin)" % (d, ", ".join(missing)))
    parts = [read_records(np, os.path.join(d, f)) for f in TRAIN_FILES]
    train_x = np.concatenate([p[0] for p in parts])
    train_y = np.concatenate([p[1] for p in parts])
    test_x, test_y = read_records(np, os.path.join(d, TEST_FILE))
    return train_x, train_y, test_x, test_y


# ---- the machine ----------------------------------------------------------------------------


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def cpulist_count(s):
    n = 0
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            n += int(b) - int(a) + 1
        elif part:
            n += 1
    return n


def machine_info():
    m = {}
    procs = []
    cur = {}
    for line in (read_text("/proc/cpuinfo") or "").splitlines():
        if not line.strip():
            if cur:
                procs.append(cur)
            cur = {}
            continue
        k, _, v = line.partition(":")
        cur[k.strip()] = v.strip()
    if cur:
        procs.append(cur)
    if procs:
        m["cpu_model"] = procs[0].get("model name", platform.processor() or "unknown")
        if "vendor_id" in procs[0]:
            m["cpu_vendor"] = procs[0]["vendor_id"]
    else:
        m["cpu_model"] = platform.processor() or "unknown"
    pkgs = {p.get("physical id", "0") for p in procs}
    cores = {(p.get("physical id", "0"), p.get("core id", p.get("processor"))) for p in procs}
    m["packages"] = max(len(pkgs), 1)
    m["cores"] = max(len(cores), 1) if procs else (os.cpu_count() or 1)
    m["pus"] = len(procs) or (os.cpu_count() or 1)
    m["numa_nodes"] = max(len(glob.glob("/sys/devices/system/node/node[0-9]*")), 1)
    # memory: the NUMA nodes' local memory, as hwloc (cifarbench) counts it; else /proc/meminfo
    node_kb = 0
    for f in glob.glob("/sys/devices/system/node/node[0-9]*/meminfo"):
        for line in (read_text(f) or "").splitlines():
            if "MemTotal:" in line:
                node_kb += int(line.split("MemTotal:")[1].split()[0])
    if not node_kb:
        for line in (read_text("/proc/meminfo") or "").splitlines():
            if line.startswith("MemTotal:"):
                node_kb = int(line.split()[1])
    if node_kb:
        m["memory_bytes"] = node_kb * 1024
    # caches from sysfs: per cpu0 index, how many distinct sharing sets exist
    caches = []
    core_of = {}
    for p in procs:
        try:
            core_of[int(p["processor"])] = (p.get("physical id", "0"), p.get("core id", p["processor"]))
        except (KeyError, ValueError):
            pass
    for idx in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index[0-9]*")):
        name = os.path.basename(idx)
        level = read_text(os.path.join(idx, "level"))
        ctype = read_text(os.path.join(idx, "type"))
        size = read_text(os.path.join(idx, "size"))
        line = read_text(os.path.join(idx, "coherency_line_size"))
        if not (level and ctype and size) or ctype == "Instruction":
            continue  # data and unified caches, as cifarbench lists them
        mult = {"K": 1024, "M": 1024 * 1024, "G": 1024 ** 3}.get(size[-1], 1)
        nbytes = int(size.rstrip("KMG")) * mult
        sets = set()
        for c in glob.glob("/sys/devices/system/cpu/cpu[0-9]*/cache/" + name + "/shared_cpu_list"):
            s = read_text(c)
            if s:
                sets.add(s)
        first = read_text(os.path.join(idx, "shared_cpu_list")) or "0"
        cpus = []
        for part in first.split(","):
            if "-" in part:
                a, b = part.split("-")
                cpus.extend(range(int(a), int(b) + 1))
            elif part:
                cpus.append(int(part))
        entry = {
            "level": int(level),
            "type": {"Data": "data", "Instruction": "instruction", "Unified": "unified"}.get(ctype, ctype.lower()),
            "bytes": nbytes,
        }
        if line:
            entry["line_bytes"] = int(line)
        entry["instances"] = max(len(sets), 1)
        entry["cores_per_instance"] = max(len({core_of.get(c, c) for c in cpus}), 1)
        caches.append(entry)
    if caches:
        m["caches"] = caches
    return m


def blas_library():
    """The BLAS PyTorch's linear layers run on: Debian's python3-torch links libblas.so.3, which
    the alternatives system points at reference BLAS (slow) or at OpenBLAS when installed."""
    libs = []
    for line in (read_text("/proc/self/maps") or "").splitlines():
        path = line.split()[-1] if len(line.split()) >= 6 else ""
        base = os.path.basename(path)
        if ("blas" in base or "mkl_rt" in base) and path not in libs:
            libs.append(path)
    named = [p for p in libs if "openblas" in os.path.basename(p) or "mkl" in os.path.basename(p)]
    return (named or libs or [None])[0]


def git_revision():
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0")  # read only: never touch the index
    try:
        rev = subprocess.run(["git", "-C", here, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, env=env, timeout=10)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", here, "diff", "--quiet", "HEAD", "--"], capture_output=True,
                               env=env, timeout=30)
        return rev.stdout.strip() + ("-dirty" if dirty.returncode == 1 else "")
    except (OSError, subprocess.SubprocessError):
        return None


# ---- JSON -----------------------------------------------------------------------------------


def write_json_atomic(path, doc):
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---- command line ---------------------------------------------------------------------------


def positive_int(s):
    try:
        v = int(s, 10)
    except ValueError:
        raise argparse.ArgumentTypeError("'%s' is not a whole number" % s)
    if v < 1:
        raise argparse.ArgumentTypeError("must be at least 1, not %d" % v)
    return v


def seed_int(s):
    try:
        v = int(s, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("'%s' is not a whole number" % s)
    if not 0 <= v < 1 << 64:
        raise argparse.ArgumentTypeError("must be from 0 to 2^64-1, not %d" % v)
    return v


def parse_args(argv):
    mi = machine_info()
    p = argparse.ArgumentParser(
        prog="peer_pytorch.py",
        description="Train cifarbench's reference CNN with PyTorch on the CPU and write a cifarbench-result "
        "train file (cifarbench report / compare read it).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Epoch seconds cover batch assembly and the training steps, as cifarbench's; evaluation is "
        "timed separately.\nRun with /usr/bin/python3 (Debian's python3-torch).",
    )
    p.add_argument("--data", metavar="DIR", help="CIFAR-10 binary files (default: $CIFARBENCH_DATA, else %s)" % " or ".join(DEFAULT_DATA))
    p.add_argument("--epochs", type=positive_int, default=1, metavar="N", help="epochs (default 1): the repetitions of the summary's medians")
    p.add_argument("--batch", type=positive_int, default=32, metavar="B", help="images per step (default 32)")
    p.add_argument("--seed", type=seed_int, default=1, metavar="S", help="seed of initialisation and shuffling (default 1)")
    p.add_argument("--threads", type=positive_int, default=mi["cores"], metavar="T",
                   help="torch.set_num_threads (default: one per physical core, %d here)" % mi["cores"])
    p.add_argument("--bind", choices=["core", "none"], default="core",
                   help="core: OMP_PLACES=cores OMP_PROC_BIND=close unless already set (default); none: leave placement to the OS")
    p.add_argument("--images", type=positive_int, metavar="N", help="train on the first N training images only (default: all 50000)")
    p.add_argument("--test-images", type=positive_int, metavar="N", help="evaluate on the first N test images only (default: all 10000)")
    p.add_argument("--init", choices=["cifarbench", "torch"], default="cifarbench",
                   help="cifarbench: its generator's weights and shuffles for --seed (default); torch: torch.manual_seed's")
    p.add_argument("--adam", choices=["torch", "keras"], default="torch",
                   help="torch: torch.optim.Adam (default); keras: eps added to sqrt(v) as cifarbench/Keras do")
    p.add_argument("--memory-format", choices=["channels_last", "contiguous"], default="channels_last",
                   help="channels_last: images and activations NHWC in memory, as cifarbench (default); contiguous: NCHW")
    p.add_argument("--json", metavar="FILE", help="also write the results as a cifarbench-result train file (atomically)")
    a = p.parse_args(argv)
    if a.json:  # fail now rather than after the training
        d = os.path.dirname(os.path.abspath(a.json))
        if not os.path.isdir(d) or not os.access(d, os.W_OK | os.X_OK):
            p.error("--json %s: the directory %s does not exist or is not writable" % (a.json, d))
    return a, mi


# ---- training -------------------------------------------------------------------------------


def main(argv):
    args, machine = parse_args(argv)

    # OpenMP reads its placement when the runtime starts, i.e. when torch is imported.
    if args.bind == "core":
        os.environ.setdefault("OMP_PLACES", "cores")
        os.environ.setdefault("OMP_PROC_BIND", "close")
    try:
        import numpy as np
    except ImportError as e:
        raise Fail("numpy is missing (%s) in %s: run this script with /usr/bin/python3, where Debian's "
                   "python3-numpy and python3-torch install (apt-get install -y python3-torch)" % (e, sys.executable))
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        raise Fail("PyTorch is missing (%s): as root, apt-get install -y python3-torch (Debian), and run this "
                   "script with /usr/bin/python3 (%s has no torch)" % (e, sys.executable))

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed & 0x7FFFFFFFFFFFFFFF)

    data_dir, why = find_data(args.data)
    train_x_np, train_y_np, test_x_np, test_y_np = load_cifar10(np, data_dir)
    n_train = min(args.images or len(train_y_np), len(train_y_np))
    n_test = min(args.test_images or len(test_y_np), len(test_y_np))
    channels_last = args.memory_format == "channels_last"
    mf = torch.channels_last if channels_last else torch.contiguous_format

    def images(a):
        """uint8 images held in the run's layout: [N,32,32,3] (NHWC) or [N,3,32,32] (NCHW)."""
        return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 2, 3, 1) if channels_last else a))

    def as_input(u8):
        """A batch of held images as the network's float input, pixels / 255; for channels_last an
        N,C,H,W view of the NHWC memory (strides (HWC, 1, WC, C): no copy)."""
        x = u8.float().div_(255.0)
        return x.permute(0, 3, 1, 2) if channels_last else x

    train_x = images(train_x_np[:n_train])
    train_y = torch.from_numpy(train_y_np[:n_train].copy())
    test_x = images(test_x_np[:n_test])
    test_y = torch.from_numpy(test_y_np[:n_test].copy())
    del train_x_np, test_x_np

    # parameters, in PyTorch's layouts: conv OIHW, dense [Out][In]
    if args.init == "cifarbench":
        rng = CbRng(args.seed)
        w1 = glorot_cifarbench(rng, np, (3, 3, 3, 8), 9 * 3, 9 * 8).transpose(3, 2, 0, 1)  # HWIO -> OIHW
        w2 = glorot_cifarbench(rng, np, (3, 3, 8, 8), 9 * 8, 9 * 8).transpose(3, 2, 0, 1)
        w3 = glorot_cifarbench(rng, np, (512, 32), 512, 32).T  # [In][Out] -> [Out][In]
        w4 = glorot_cifarbench(rng, np, (32, 10), 32, 10).T
        weights = [torch.from_numpy(np.ascontiguousarray(w)) for w in (w1, w2, w3, w4)]
    else:
        weights = [torch.empty(8, 3, 3, 3), torch.empty(8, 8, 3, 3), torch.empty(32, 512), torch.empty(10, 32)]
        for w in weights:
            torch.nn.init.xavier_uniform_(w)  # fans as Keras: in/out channels x receptive field
    weights[0] = weights[0].contiguous(memory_format=mf)
    weights[1] = weights[1].contiguous(memory_format=mf)
    biases = [torch.zeros(8), torch.zeros(8), torch.zeros(32), torch.zeros(10)]
    params = []
    for w, b in zip(weights, biases):
        params += [w.requires_grad_(), b.requires_grad_()]
    c1w, c1b, c2w, c2b, d1w, d1b, d2w, d2b = params

    def forward(x):
        x = F.max_pool2d(F.relu(F.conv2d(x, c1w, c1b, padding=1)), 2)
        x = F.max_pool2d(F.relu(F.conv2d(x, c2w, c2b, padding=1)), 2)
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], 512)  # flatten channels-last, as Keras
        x = F.relu(F.linear(x, d1w, d1b))
        return F.linear(x, d2w, d2b)

    if args.adam == "torch":
        opt = torch.optim.Adam(params, lr=ADAM_LR, betas=(ADAM_BETA1, ADAM_BETA2), eps=ADAM_EPS)

        def adam_step():
            opt.step()

        def zero_grad():
            opt.zero_grad(set_to_none=True)
    else:
        ms = [torch.zeros_like(p) for p in params]
        vs = [torch.zeros_like(p) for p in params]
        adam_t = [0]

        def adam_step():
            adam_t[0] += 1
            t = adam_t[0]
            step = ADAM_LR * (1.0 - ADAM_BETA2 ** t) ** 0.5 / (1.0 - ADAM_BETA1 ** t)  # in double, as cifarbench
            with torch.no_grad():
                gs = [p.grad for p in params]
                torch._foreach_mul_(ms, ADAM_BETA1)
                torch._foreach_add_(ms, gs, alpha=1.0 - ADAM_BETA1)
                torch._foreach_mul_(vs, ADAM_BETA2)
                torch._foreach_addcmul_(vs, gs, gs, value=1.0 - ADAM_BETA2)
                denom = torch._foreach_sqrt(vs)
                torch._foreach_add_(denom, ADAM_EPS)
                torch._foreach_addcdiv_(params, ms, denom, value=-step)

        def zero_grad():
            for p in params:
                p.grad = None

    flops_train, flops_forward = flops_per_image()
    ver = torch.__version__
    print("peer_pytorch: PyTorch %s, %d epoch(s) of %d images, batch %d, seed %d, init %s, adam %s, %s"
          % (ver, args.epochs, n_train, args.batch, args.seed, args.init, args.adam, args.memory_format))
    print("  cpu      %s (%d cores, %d PUs)" % (machine["cpu_model"], machine["cores"], machine["pus"]))
    print("  threads  %d (torch.get_num_threads %d), bind %s" % (args.threads, torch.get_num_threads(), args.bind))
    print("  blas     %s" % (blas_library() or "unknown"))
    print("  data     %s (%s): %d train + %d test images" % (data_dir, why, n_train, n_test))
    print("  work     %.3f MFLOP per training image, %.1f GFLOP per epoch" % (flops_train * 1e-6, flops_train * n_train * 1e-9))
    print("\n  epoch   seconds    images/s   GFLOP/s   train loss  train acc   test loss  test acc   eval s")
    sys.stdout.flush()

    shuffle_rng = CbRng(args.seed ^ 0x5EED5EED5EED5EED) if args.init == "cifarbench" else None
    epochs = []
    B = args.batch
    for e in range(args.epochs):
        if shuffle_rng is not None:
            order_list = list(range(n_train))
            shuffle_rng.shuffle(order_list)
            order = torch.tensor(order_list, dtype=torch.int64)
        else:
            order = torch.randperm(n_train)
        loss_sum = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        steps = 0
        t0 = time.perf_counter()
        for start in range(0, n_train, B):
            idx = order[start:start + B]
            n = idx.shape[0]
            x = as_input(train_x.index_select(0, idx))
            y = train_y.index_select(0, idx)
            logits = forward(x)
            loss = F.cross_entropy(logits, y)
            zero_grad()
            loss.backward()
            adam_step()
            with torch.no_grad():
                loss_sum += loss.detach().double() * n
                correct += (logits.detach().argmax(1) == y).sum()
            steps += 1
        seconds = time.perf_counter() - t0

        t1 = time.perf_counter()
        test_loss_sum, test_correct = 0.0, 0
        with torch.no_grad():
            eb = max(EVAL_BATCH, B)
            for start in range(0, n_test, eb):
                x = as_input(test_x[start:start + eb])
                y = test_y[start:start + eb]
                z = forward(x)
                test_loss_sum += float(F.cross_entropy(z, y, reduction="sum"))
                test_correct += int((z.argmax(1) == y).sum())
        eval_seconds = time.perf_counter() - t1

        ips = n_train / seconds
        ep = {
            "epoch": e + 1,
            "images": n_train,
            "steps": steps,
            "seconds": seconds,
            "images_per_s": ips,
            "gflops": ips * flops_train * 1e-9,
            "train_loss": float(loss_sum) / n_train,
            "train_accuracy": int(correct) / n_train,
            "test_loss": test_loss_sum / n_test,
            "test_accuracy": test_correct / n_test,
            "eval_seconds": eval_seconds,
            "images_per_s_per_core": ips / args.threads,
        }
        epochs.append(ep)
        print("  %5d  %8.3f  %10.1f  %8.2f   %10.4f  %9.4f  %10.4f  %8.4f  %7.3f"
              % (ep["epoch"], seconds, ips, ep["gflops"], ep["train_loss"], ep["train_accuracy"],
                 ep["test_loss"], ep["test_accuracy"], eval_seconds))
        sys.stdout.flush()

    med = statistics.median(ep["seconds"] for ep in epochs)
    if args.epochs > 1:
        print("  median %8.3f  %10.1f  %8.2f" % (med, n_train / med, n_train / med * flops_train * 1e-9))

    if args.json:
        cfg_show = torch.__config__.show()
        cap = None
        for line in cfg_show.splitlines():
            if "CPU capability usage" in line:
                cap = line.split(":", 1)[1].strip()
        ctx = {
            "machine": machine,
            "isa": "pytorch-" + ver,
            "threads": args.threads,
            "bind": args.bind,
            "compiler": "PyTorch %s (CPython %s)" % (ver, platform.python_version()),
            "torch_version": ver,
            "torch_num_threads": torch.get_num_threads(),
            "torch_mkldnn": bool(torch.backends.mkldnn.is_available()),
            "torch_blas": blas_library(),
            "numpy_version": np.__version__,
            "python": platform.python_version(),
            "omp_places": os.environ.get("OMP_PLACES"),
            "omp_proc_bind": os.environ.get("OMP_PROC_BIND"),
        }
        if cap:
            ctx["torch_cpu_capability"] = cap
        blas = blas_library()
        par = [l.strip() for l in torch.__config__.parallel_info().splitlines() if l.startswith(("OpenMP", "TBB", "native"))]
        ctx["build_flags"] = "torch CPU capability %s, oneDNN %s, %s; BLAS %s" % (
            cap or "?", "on" if torch.backends.mkldnn.is_available() else "off",
            par[0] if par else "?", blas or "unknown")
        rev = git_revision()
        if rev:
            ctx["git_revision"] = rev
        ctx["dataset"] = {"kind": "cifar10-files", "source": data_dir, "train_images": n_train, "test_images": n_test}
        doc = {
            "schema": "cifarbench-result",
            "schema_version": 1,
            "command": "train",
            "task": "classify",
            "context": {k: v for k, v in ctx.items() if v is not None},
            "config": {
                "network": NETWORK,
                "loss": LOSS,
                "epochs": args.epochs,
                "batch": args.batch,
                "seed": args.seed,
                "flops_per_image_train": flops_train,
                "flops_per_image_forward": flops_forward,
                "peer": "pytorch",
                "init": args.init,
                "adam": args.adam,
                "memory_format": args.memory_format,
                "adam_hparams": {"lr": ADAM_LR, "beta1": ADAM_BETA1, "beta2": ADAM_BETA2, "eps": ADAM_EPS},
            },
            "epochs": epochs,
            "summary": {
                "repetitions": args.epochs,
                "median_seconds": med,
                "images_per_s": n_train / med,
                "images_per_s_per_core": n_train / med / args.threads,
                "gflops": n_train / med * flops_train * 1e-9,
            },
        }
        try:
            write_json_atomic(args.json, doc)
        except OSError as e:
            raise Fail("cannot write %s: %s" % (args.json, e))
        print("  results  %s" % args.json)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Fail as e:
        print("peer_pytorch: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("peer_pytorch: interrupted", file=sys.stderr)
        sys.exit(130)
