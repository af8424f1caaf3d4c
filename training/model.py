"""ALBERT in plain PyTorch with Hugging Face semantics and parameter names.

Factorized embedding (E -> H projection), one shared transformer layer applied
num_hidden_layers times, post-LN, gelu_new, pooler = tanh(dense([CLS])).
State-dict keys match transformers' AlbertForPreTraining / AlbertForSequenceClassification /
AlbertForTokenClassification.
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_CONFIG = {
    "model_type": "albert",
    "vocab_size": 30000,
    "embedding_size": 128,
    "hidden_size": 256,
    "num_hidden_layers": 6,
    "num_hidden_groups": 1,
    "num_attention_heads": 4,
    "intermediate_size": 1024,
    "inner_group_num": 1,
    "hidden_act": "gelu_new",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
    "bos_token_id": 2,
    "eos_token_id": 3,
}


class LayerNorm(nn.LayerNorm):
    """nn.LayerNorm computed in fp32 (so CPU bf16 autocast can be used for the matmuls)."""

    def forward(self, x):
        return F.layer_norm(x.float(), self.normalized_shape, self.weight, self.bias, self.eps)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class AlbertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        E = c["embedding_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], E, padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], E)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], E)
        self.LayerNorm = LayerNorm(E, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, input_ids, token_type_ids=None):
        B, L = input_ids.shape
        pos = torch.arange(L, device=input_ids.device).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class AlbertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        H = c["hidden_size"]
        self.nh = c["num_attention_heads"]
        self.hd = H // self.nh
        self.query = nn.Linear(H, H)
        self.key = nn.Linear(H, H)
        self.value = nn.Linear(H, H)
        self.dense = nn.Linear(H, H)
        self.LayerNorm = LayerNorm(H, eps=c["layer_norm_eps"])
        self.attention_dropout = nn.Dropout(c["attention_probs_dropout_prob"])
        self.output_dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, mask_bias):
        B, L, H = x.shape
        q = self.query(x).view(B, L, self.nh, self.hd).transpose(1, 2)
        k = self.key(x).view(B, L, self.nh, self.hd).transpose(1, 2)
        v = self.value(x).view(B, L, self.nh, self.hd).transpose(1, 2)
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd)
        if mask_bias is not None:
            s = s + mask_bias
        p = self.attention_dropout(torch.softmax(s, dim=-1))
        ctx = torch.matmul(p, v).transpose(1, 2).reshape(B, L, H)
        out = self.output_dropout(self.dense(ctx))
        return self.LayerNorm(x + out)


class AlbertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        self.attention = AlbertAttention(c)
        self.ffn = nn.Linear(H, I)
        self.ffn_output = nn.Linear(I, H)
        self.full_layer_layer_norm = LayerNorm(H, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, mask_bias):
        a = self.attention(x, mask_bias)
        f = self.ffn_output(gelu_new(self.ffn(a)))
        return self.full_layer_layer_norm(self.dropout(f) + a)


class AlbertLayerGroup(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.albert_layers = nn.ModuleList([AlbertLayer(c) for _ in range(c["inner_group_num"])])

    def forward(self, x, mask_bias):
        for layer in self.albert_layers:
            x = layer(x, mask_bias)
        return x


class AlbertTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embedding_hidden_mapping_in = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.albert_layer_groups = nn.ModuleList([AlbertLayerGroup(c) for _ in range(c["num_hidden_groups"])])

    def forward(self, x, mask_bias):
        x = self.embedding_hidden_mapping_in(x)
        n, g = self.c["num_hidden_layers"], self.c["num_hidden_groups"]
        for i in range(n):
            x = self.albert_layer_groups[int(i / (n / g))](x, mask_bias)
        return x


class AlbertModel(nn.Module):
    def __init__(self, c, add_pooling_layer=True):
        super().__init__()
        self.embeddings = AlbertEmbeddings(c)
        self.encoder = AlbertTransformer(c)
        self.pooler = nn.Linear(c["hidden_size"], c["hidden_size"]) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        mask_bias = None
        if attention_mask is not None:
            mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        h = self.encoder(self.embeddings(input_ids, token_type_ids), mask_bias)
        pooled = torch.tanh(self.pooler(h[:, 0])) if self.pooler is not None else None
        return h, pooled


def init_weights(module, std):
    for m in module.modules():
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(0.0, std)
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(0.0, std)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()


class AlbertMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["embedding_size"])
        self.LayerNorm = LayerNorm(c["embedding_size"], eps=c["layer_norm_eps"])
        self.decoder = nn.Linear(c["embedding_size"], c["vocab_size"])
        self.bias = self.decoder.bias  # HF ties predictions.bias and decoder.bias

    def forward(self, h):
        return self.decoder(self.LayerNorm(gelu_new(self.dense(h))))


class AlbertSOPHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dropout = nn.Dropout(c.get("classifier_dropout_prob", 0.1))
        self.classifier = nn.Linear(c["hidden_size"], 2)

    def forward(self, pooled):
        return self.classifier(self.dropout(pooled))


class AlbertForPreTraining(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.albert = AlbertModel(c)
        self.predictions = AlbertMLMHead(c)
        self.sop_classifier = AlbertSOPHead(c)
        init_weights(self, c["initializer_range"])
        self.predictions.decoder.weight = self.albert.embeddings.word_embeddings.weight  # tied

    def forward(self, input_ids, attention_mask, token_type_ids, mlm_positions):
        """mlm_positions: flat indices into B*L of masked tokens; MLM logits only there."""
        h, pooled = self.albert(input_ids, attention_mask, token_type_ids)
        hm = h.reshape(-1, h.shape[-1]).index_select(0, mlm_positions)
        return self.predictions(hm), self.sop_classifier(pooled)


class AlbertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.albert = AlbertModel(c)
        self.dropout = nn.Dropout(c.get("classifier_dropout_prob", 0.1))
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])
        init_weights(self, c["initializer_range"])

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        _, pooled = self.albert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(pooled))

    def layer_logits(self, input_ids, attention_mask=None, token_type_ids=None):
        """Logits after every pass of the shared block, [num_hidden_layers, B, num_labels]: the same
        pooler + classifier read each pass's [CLS] state (PABEE-style early exit); [-1] == forward()."""
        a, enc = self.albert, self.albert.encoder
        mask_bias = None
        if attention_mask is not None:
            mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        x = enc.embedding_hidden_mapping_in(a.embeddings(input_ids, token_type_ids))
        n, g = enc.c["num_hidden_layers"], enc.c["num_hidden_groups"]
        out = []
        for i in range(n):
            x = enc.albert_layer_groups[int(i / (n / g))](x, mask_bias)
            out.append(self.classifier(self.dropout(torch.tanh(a.pooler(x[:, 0])))))
        return torch.stack(out)


class AlbertForTokenClassification(nn.Module):
    """transformers' AlbertForTokenClassification: encoder without pooler (HF builds it with
    add_pooling_layer=False, so no albert.pooler.* tensors), dropout, classifier [L, H] per position."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.albert = AlbertModel(c, add_pooling_layer=False)
        self.dropout = nn.Dropout(c.get("classifier_dropout_prob", 0.1))
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])
        init_weights(self, c["initializer_range"])

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        """Logits [B, T, num_labels]."""
        h, _ = self.albert(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.dropout(h))


# ---------------------------------------------------------------- safetensors
_DT = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def save_safetensors(tensors, path, metadata=None, fp16=False):
    """tensors: dict name -> torch.Tensor. Writes F32 (or F16) little-endian, sorted keys."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = tensors[name].detach().cpu().float().contiguous().numpy().astype("<f2" if fp16 else "<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F16" if fp16 else "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def safetensors_metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)).get("__metadata__", {})


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        a = np.frombuffer(data[s:e], dtype=np.dtype(_DT[info["dtype"]]).newbyteorder("<")).reshape(info["shape"])
        out[name] = torch.from_numpy(a.astype(a.dtype.newbyteorder("=")).copy())
    return out


def save_fp16_export(model, path, ties, metadata):
    """A pretraining model's weights as fp16 safetensors, written atomically, without the tied copies
    (the keys of `ties`, {tied name: the tensor it shares}); metadata: str -> str (configs, step, ...)."""
    sd = {k: v for k, v in model.state_dict().items() if k not in ties}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    save_safetensors(sd, path + ".tmp", {"format": "pt", **metadata}, fp16=True)
    os.replace(path + ".tmp", path)
    print(f"exported fp16 safetensors -> {path} ({os.path.getsize(path) / 1e6:.2f} MB)", flush=True)


def load_fp16_export(path, ties, kind):
    """(metadata, float32 state dict with the tied copies restored) of save_fp16_export; checks its kind."""
    meta = safetensors_metadata(path)
    assert meta.get("kind") == kind, f"{path} is not a {kind} export (kind {meta.get('kind')})"
    sd = {k: v.float() for k, v in load_safetensors(path).items()}
    sd.update({tied: sd[src] for tied, src in ties.items()})
    return meta, sd


def load_word_embeddings(albert, path):
    """Copies word vectors [vocab, E] into an AlbertModel's word embeddings: a float32 .npy from
    embed_init.py, or its committed fp16 .safetensors (tensor `word_embeddings`)."""
    w = load_safetensors(path)["word_embeddings"].float() if path.endswith(".safetensors") else torch.from_numpy(np.load(path))
    emb = albert.embeddings.word_embeddings.weight
    assert w.shape == emb.shape, (w.shape, emb.shape)
    with torch.no_grad():
        emb.copy_(w)
    print(f"word embeddings from {path} (std {w.std():.4f})", flush=True)


def load_init(path, cfg, pooler=True):
    """albert.* encoder weights of a pretraining checkpoint (a pretrain .pt, or an exported
    .safetensors from pretrain_electra.py --export) and a one-line description; updates cfg's
    shape from the checkpoint. pooler=False leaves out albert.pooler.* (token classifiers)."""
    if path.endswith(".safetensors"):
        meta = safetensors_metadata(path)
        cfg.update({k: v for k, v in json.loads(meta["config"]).items() if k in DEFAULT_CONFIG})
        sd = {k: v.float() for k, v in load_safetensors(path).items() if k.startswith("albert.")}
        desc = f"{meta.get('kind')} pretraining, step {meta.get('step')}, {meta.get('tokens')} tokens"
    else:
        s = torch.load(path, map_location="cpu")
        cfg.update({k: v for k, v in s["config"].items() if k in DEFAULT_CONFIG})
        sd = {k: v for k, v in s["model"].items() if k.startswith("albert.")}
        desc = f"pretrain step {s.get('step')}"
    return {k: v for k, v in sd.items() if pooler or not k.startswith("albert.pooler.")}, desc
