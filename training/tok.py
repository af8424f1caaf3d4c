"""AlbertTokenizer-compatible tokenization (HF preprocessing + SentencePiece).

Reproduces transformers' AlbertTokenizer(do_lower_case=True, remove_space=True,
keep_accents=False): the product's TypeScript tokenizer implements the same steps.
"""
import unicodedata

import sentencepiece as spm

PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4
SPIECE_UNDERLINE = "\u2581"


class AlbertTok:
    def __init__(self, model_path):
        self.sp = spm.SentencePieceProcessor()
        self.sp.Load(model_path)
        self.vocab_size = self.sp.GetPieceSize()

    @staticmethod
    def preprocess(text):
        out = " ".join(text.strip().split())
        out = out.replace("``", '"').replace("''", '"')
        out = unicodedata.normalize("NFKD", out)
        out = "".join(c for c in out if not unicodedata.combining(c))
        return out.lower()

    def pieces(self, text):
        text = self.preprocess(text)
        pieces = self.sp.encode(text, out_type=str)
        new_pieces = []
        for piece in pieces:
            if len(piece) > 1 and piece[-1] == "," and piece[-2].isdigit():
                cur = self.sp.encode(piece[:-1].replace(SPIECE_UNDERLINE, ""), out_type=str)
                if piece[0] != SPIECE_UNDERLINE and cur and cur[0][0] == SPIECE_UNDERLINE:
                    if len(cur[0]) == 1:
                        cur = cur[1:]
                    else:
                        cur[0] = cur[0][1:]
                cur.append(piece[-1])
                new_pieces.extend(cur)
            else:
                new_pieces.append(piece)
        return new_pieces

    def encode(self, text):
        """Token ids without [CLS]/[SEP]."""
        return [self.sp.piece_to_id(p) for p in self.pieces(text)]

    def encode_cls(self, text, max_len=512):
        ids = self.encode(text)[: max_len - 2]
        return [CLS] + ids + [SEP]
