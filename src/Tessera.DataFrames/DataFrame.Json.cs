using Tessera.DataFrames.Expressions;
using Tessera.DataFrames.IO;
using Tessera.DataFrames.Kernels;
using Tessera.Graphs;

namespace Tessera.DataFrames;

/// <summary>Reading and writing JSON lines.</summary>
public sealed partial class DataFrame
{
    private static readonly TaskFunction s_writeJson = TaskFunction.Create<Table, string, string>(WriteJsonPart, "to-json");

    /// <summary>
    /// Reads JSON lines files (one object per line; Dask's <c>read_json(lines=True)</c>) into a frame:
    /// one partition per block of about <see cref="JsonOptions.BlockSize"/> bytes, split at line
    /// boundaries. The columns are the keys of the objects in a sample of the first file, in order of
    /// first appearance, and their dtypes are inferred from the sample's values (integers → int64,
    /// with fractions → float64, true/false → bool, ISO dates → timestamp, strings and mixed kinds →
    /// string, nested objects and arrays → string of their JSON text; override with
    /// <see cref="JsonOptions.DTypes"/>). A missing key or <c>null</c> is a missing value; <c>.gz</c>
    /// files are decompressed (one partition each).
    /// </summary>
    /// <param name="path">A file, a directory (its <c>*.json</c> files) or a glob such as <c>data/*.jsonl</c>.</param>
    /// <param name="options">Reading options.</param>
    /// <returns>The lazy frame, with unknown divisions.</returns>
    /// <remarks>A line that is not one JSON object, a value of the wrong kind for its column, or a key that is no column fails when the block is read, naming the file and the line, unless <see cref="JsonOptions.OnBadLines"/> is <see cref="BadLineAction.Skip"/>.</remarks>
    public static DataFrame ReadJson(string path, JsonOptions? options = null)
    {
        options ??= new JsonOptions();
        string[] files = CsvReader.Expand(path, "read_json", ".json");
        (string[] names, DType[] types) = JsonLines.Infer(files[0], options);
        string[] chosen = [.. options.UseColumns ?? names];
        foreach (string c in chosen)
        {
            if (System.Array.IndexOf(names, c) < 0)
            {
                throw Table.UnknownColumn($"read_json (usecols, file '{files[0]}')", c, names);
            }
        }

        ((string File, long Start, long End)[] blocks, string[] stamps) = CsvReader.BlocksOf(files, options.BlockSize);

        int[] allTypes = [.. types.Select(t => (int)t)];
        bool skip = options.OnBadLines == BadLineAction.Skip;
        string name = Plan.Name("read-json", [.. files, .. stamps, options.BlockSize, names, allTypes, skip]);
        Table full = Table.Create([], [.. names.Select((n, i) => (n, Arrays.Nulls(types[i].ToArrow(), 0)))]);
        var source = new JsonSource(name, path, blocks, names, allTypes, full, skip);
        return new DataFrame(new ReadJsonExpr(source, [.. names.Where(chosen.Contains)]), Plan.UnknownDivisions(blocks.Length));
    }

    /// <summary>
    /// Writes one JSON lines file per partition, <c>part.N.json</c> in <paramref name="directory"/>
    /// (an object per row, index columns first; missing values and NaN as <c>null</c>, timestamps as
    /// ISO 8601 text), each written under a temporary name and then renamed; computes now.
    /// </summary>
    /// <param name="directory">The output directory (created if needed).</param>
    /// <returns>The written paths.</returns>
    public IReadOnlyList<string> ToJson(string directory) => WriteParts(directory, s_writeJson, "to-json", "json");

    private static string WriteJsonPart(Table part, string path) => WriteAtomically(path, tmp =>
    {
        using var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        JsonLines.Write(part, stream);
    });
}
