/**
 * @module worker/assets-source
 * Reads a model's files from the Worker's static assets (`[assets]` → `model-shards/`).
 * `run_worker_first = true` in wrangler.toml keeps these files private: only this code reads them.
 */
export interface ShardReader {
  read(file: string): Promise<Uint8Array>;
}

export class AssetNotFoundError extends Error {
  readonly file: string;
  constructor(file: string, status: number) {
    super(`model file ${file} is not in the Worker's assets (HTTP ${status})`);
    this.name = "AssetNotFoundError";
    this.file = file;
  }
}

/** A reader rooted at `model-shards/<modelId>/`. */
export function assetsSource(assets: Fetcher, modelId: string): ShardReader {
  return {
    async read(file: string): Promise<Uint8Array> {
      const path = `${encodeURIComponent(modelId)}/${file.split("/").map(encodeURIComponent).join("/")}`;
      const response = await assets.fetch(new Request(`http://assets/${path}`));
      if (!response.ok) throw new AssetNotFoundError(`${modelId}/${file}`, response.status);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
