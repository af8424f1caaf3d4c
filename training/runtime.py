"""Where and how the training scripts run: the device (CUDA when present, else the CPU), bf16, one
optimizer step and the torch RNG state in checkpoints. pretrain.py, pretrain_electra.py,
finetune.py and finetune_ner.py share it, so a GPU changes nothing but speed: the same command,
seeds and recipe (bf16 autocast is always on under CUDA)."""
import torch


def device():
    """The GPU when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def setup(threads, bf16):
    """(device, bf16 autocast on?) for a run; sets torch's CPU threads."""
    torch.set_num_threads(threads)
    dev = device()
    return dev, bf16 or dev.type == "cuda"


def optimizer_step(loss, model, opt, dev, clip=1.0):
    """Backward, clip the global gradient norm, step; on CUDA wait for the step to finish, so that the
    training time the schedules run on is the step's own, not the time to queue it."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    if dev.type == "cuda":
        torch.cuda.synchronize()


def rng_states(dev):
    """torch's RNG states for a checkpoint (CUDA's too on a GPU)."""
    return {"torch_rng": torch.get_rng_state(), "cuda_rng": torch.cuda.get_rng_state() if dev.type == "cuda" else None}


def restore_rng_states(ck, dev):
    """Undoes rng_states from a checkpoint dict."""
    torch.set_rng_state(ck["torch_rng"])
    if dev.type == "cuda" and ck.get("cuda_rng") is not None:
        torch.cuda.set_rng_state(ck["cuda_rng"])
