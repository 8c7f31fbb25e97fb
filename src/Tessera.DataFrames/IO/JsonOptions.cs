namespace Tessera.DataFrames.IO;

/// <summary>Options of <see cref="DataFrame.ReadJson"/> (Dask's <c>read_json(lines=True)</c> keywords).</summary>
public sealed record JsonOptions
{
    /// <summary>Gets the columns to read (null: all), by name.</summary>
    public IReadOnlyList<string>? UseColumns { get; init; }

    /// <summary>
    /// Gets dtypes that override inference, by column. A column named here that the sample does not
    /// hold is added (its values come from later lines, or are missing).
    /// </summary>
    public IReadOnlyDictionary<string, DType>? DTypes { get; init; }

    /// <summary>Gets the partition size in bytes: files are split at line boundaries into blocks of about this size (default 64 MB; 0: one partition per file). Gzip files are never split.</summary>
    public long BlockSize { get; init; } = 64L << 20;

    /// <summary>Gets how many bytes of the first file are used to find the columns and infer their dtypes (default 256 kB).</summary>
    public int SampleBytes { get; init; } = 256_000;

    /// <summary>
    /// Gets what to do with a line that cannot be read (not one JSON object, malformed JSON, a value of
    /// the wrong kind, a key that is no column or appears twice): fail naming the file and the line
    /// (default), or skip the line.
    /// </summary>
    public BadLineAction OnBadLines { get; init; } = BadLineAction.Error;
}
