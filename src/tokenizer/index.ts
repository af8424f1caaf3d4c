/**
 * @module tokenizer
 * Public entry of the ALBERT tokenizer (pure TypeScript; runs in workerd and Node): SentencePiece
 * unigram with the model's precompiled-charsmap normalizer, plus Hugging Face AlbertTokenizer
 * pre/post-processing. Input is the `spiece.model` bytes; no I/O happens here. Encodings carry
 * each token's span in the caller's string (UTF-16 code units) and token type ids for pairs.
 */
export { AlbertTokenizer, caseTypeOf, longestFirst, type AlbertTokenizerOptions, type EncodeOptions, type Encoding, type Offset, type Tokenized } from "./albert.ts";
export { TokenizerError, type TokenizerErrorCode } from "./errors.ts";
export { SentencePieceProcessor, type AlignedEncoded, type Encoded } from "./sentencepiece.ts";
export { parseModelProto, PieceType, type ModelProto, type Pieces } from "./model-proto.ts";
