/**
 * @module model/answer
 * Extractive question answering with a QA model: the question and the context are tokenized
 * apart (the context with character offsets), the context is cut into overlapping windows of the
 * model's length (heads/windows: `[CLS] question [SEP] context-slice [SEP]`, token types 0 / 1),
 * every window of every question runs in one engine run, and the best spans over all windows win
 * (heads/qa). Shared by `/v1/qa` and `albert-edge qa`.
 */
import { answerQuestion, qaWindows, startEndLogits, type Answer, type QaWindow } from "../heads/index.ts";
import type { AlbertModel, Results, StageTimings } from "./model.ts";
import { withTotals } from "./model.ts";

export interface QuestionInput {
  question: string;
  context: string;
}

export interface AnswerOptions {
  /** Answers per question, best first (default 1). */
  topK?: number;
  /** Longest answer in tokens (default 30). */
  maxAnswerTokens?: number;
  /** Context tokens shared by consecutive windows (default heads/windows `defaultStride`). */
  stride?: number;
}

export interface AnswerResult {
  /** Best first; `topK` of them at most. */
  answers: Answer[];
  /** The windows' ids, token types and raw logits (the CLI prints the first window's). */
  windows: { ids: number[]; typeIds: number[]; startLogits: number[]; endLogits: number[] }[];
  /** Tokens run over all windows, [CLS]/[SEP] included. */
  tokens: number;
  timings: StageTimings;
}

/** One question after the first stage: its windows, the context's tokens, what they cost. */
export interface PreparedQuestion {
  input: QuestionInput;
  windows: QaWindow[];
  context: ReturnType<AlbertModel["tokenizer"]["tokenize"]>;
  /** Tokens over all windows, [CLS]/[SEP] included (for budgets before any inference). */
  tokens: number;
  tokenizeMs: number;
}

/** The first stage: tokenizes one question and its context and cuts the windows, timed. */
export function prepareQuestion(model: AlbertModel, input: QuestionInput, options: AnswerOptions = {}): PreparedQuestion {
  const start = performance.now();
  const { windows, context } = questionWindows(model, input, options);
  return { input, windows, context, tokens: windows.reduce((n, w) => n + w.ids.length, 0), tokenizeMs: performance.now() - start };
}

/** The windows of one question. */
function questionWindows(model: AlbertModel, input: QuestionInput, options: AnswerOptions = {}): { windows: QaWindow[]; context: ReturnType<AlbertModel["tokenizer"]["tokenize"]> } {
  const tokenizer = model.tokenizer;
  const question = tokenizer.tokenize(input.question);
  const context = tokenizer.tokenize(input.context);
  if (question.ids.length === 0) throw new RangeError("the question has no tokens");
  if (context.ids.length === 0) throw new RangeError("the context has no tokens");
  const windows = qaWindows({
    questionIds: question.ids,
    contextIds: context.ids,
    maxLength: model.maxLength,
    ...(options.stride === undefined ? {} : { stride: options.stride }),
    clsId: tokenizer.clsId,
    sepId: tokenizer.sepId,
  });
  return { windows, context };
}

export function answerQuestions(model: AlbertModel, inputs: readonly QuestionInput[], options: AnswerOptions = {}): Promise<Results<AnswerResult>> {
  return answerPrepared(model, inputs.map((input) => prepareQuestion(model, input, options)), options);
}

/** Answers for questions already prepared (`prepareQuestion`, with the same options). */
export async function answerPrepared(model: AlbertModel, prepared: readonly PreparedQuestion[], options: AnswerOptions = {}): Promise<Results<AnswerResult>> {
  const { manifest } = model;
  if (manifest.task !== "question_answering") {
    throw new TypeError(`model ${manifest.id} is a ${manifest.task} model; answers need a question_answering model`);
  }
  const flat = prepared.flatMap((p) => p.windows.map((w) => ({ ids: w.ids, typeIds: w.typeIds })));
  const outputs = await model.run(flat);
  const allTokens = flat.reduce((n, s) => n + s.ids.length, 0);
  let next = 0;
  return withTotals(
    prepared.map(({ input, windows, context, tokens, tokenizeMs }): AnswerResult => {
      const logits = windows.map((w) => startEndLogits(outputs[next++]!.tokenLogits!, w.ids.length));
      const answers = answerQuestion(
        { context: input.context, contextOffsets: context.offsets, windows, logits },
        { topK: options.topK ?? 1, ...(options.maxAnswerTokens === undefined ? {} : { maxAnswerTokens: options.maxAnswerTokens }) },
      );
      return {
        answers,
        windows: windows.map((w, i) => ({ ids: w.ids, typeIds: w.typeIds, startLogits: Array.from(logits[i]!.startLogits), endLogits: Array.from(logits[i]!.endLogits) })),
        tokens,
        timings: { tokenizeMs, modelMs: (outputs.timings.modelMs * tokens) / allTokens },
      };
    }),
  );
}
