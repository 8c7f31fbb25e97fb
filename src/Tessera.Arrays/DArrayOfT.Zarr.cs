namespace Tessera.Arrays;

/// <content>Writing Zarr stores.</content>
public sealed partial class DArray<TElement>
{
    /// <summary>
    /// Writes the array as a Zarr directory store (v2 or v3), one chunk file per block, in parallel
    /// on the configured scheduler. The blocks must be regular (all of one size per axis but the
    /// last); each chunk file is written to a temporary name and renamed.
    /// </summary>
    /// <param name="path">The store's directory.</param>
    /// <param name="options">Format, compressor and overwrite; by default v2 with zlib level 1.</param>
    /// <returns>The number of chunk bytes written.</returns>
    public long ToZarr(string path, ZarrOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ZarrOptions o = options ?? new ZarrOptions();
        RequireKnownChunks("to_zarr");
        if (o.Format is not (2 or 3))
        {
            throw new ArgumentException($"to_zarr: format {o.Format} is not supported; use 2 or 3.", nameof(options));
        }

        if (o.Compressor is not (null or "zlib" or "gzip" or "zstd") || (o.Format == 3 && o.Compressor == "zlib"))
        {
            throw new ArgumentException($"to_zarr: compressor '{o.Compressor}' is not supported for Zarr v{o.Format} (v2: zlib, gzip, zstd; v3: gzip, zstd; or null).", nameof(options));
        }

        for (int a = 0; a < NDim; a++)
        {
            int[] c = _chunks[a];
            if (c.Length > 1 && (c[..^1].Any(x => x != c[0]) || c[^1] > c[0]))
            {
                throw new ArgumentException(
                    $"to_zarr: the chunks of axis {a}, ({string.Join(", ", c)}), are irregular; Zarr needs equal chunks (the last may be smaller). Rechunk first, e.g. Rechunk({c[0]}).");
            }
        }

        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            if (!o.Overwrite)
            {
                throw new IOException($"to_zarr: {full} already exists and is not empty; pass Overwrite = true to replace it.");
            }

            Directory.Delete(full, recursive: true);
        }

        int[] chunkShape = [.. _chunks.Select(c => c.Length == 0 ? 0 : c[0])];
        var meta = new Zarr.Meta(o.Format, ShapeArray, chunkShape, DType, o.Compressor, o.Level, 0, o.Format == 2 ? "." : "/");
        Zarr.WriteMeta(full, meta);
        string name = NewName("to-zarr", Name, full, o.Format, o.Compressor, o.Level);
        DArray<long> writes = Build<long>(name, [.. _chunks.Select(c => Enumerable.Repeat(1, c.Length).ToArray())], Graph, [Name], index =>
            Tessera.Graphs.Node.Call(ZarrFunctions<TElement>.Write, Tessera.Graphs.Node.Ref(BlockKey(index)), Tessera.Graphs.Node.Literal(full),
                Tessera.Graphs.Node.Literal(Zarr.ChunkKey(meta, index)), Tessera.Graphs.Node.Literal(chunkShape),
                Tessera.Graphs.Node.Literal(o.Compressor), Tessera.Graphs.Node.Literal(o.Level)), fusable: true);
        return NDim == 0 ? writes.Compute().ToScalar() : writes.Sum().Compute().ToScalar();
    }
}
