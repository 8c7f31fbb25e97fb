namespace Tessera.DataFrames.IO;

/// <summary>What to do with a row that cannot be parsed.</summary>
public enum BadLineAction
{
    /// <summary>Fail, naming the file, the line and the value.</summary>
    Error,

    /// <summary>Skip the row.</summary>
    Skip,
}

/// <summary>Options of <see cref="DataFrame.ReadCsv"/> (Dask's <c>read_csv</c> keywords).</summary>
public sealed record CsvOptions
{
    /// <summary>Gets the field separator (default <c>,</c>).</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Gets a value indicating whether the first line of each file names the columns (default true); without one, columns are named <c>0</c>, <c>1</c>, ….</summary>
    public bool Header { get; init; } = true;

    /// <summary>Gets the columns to read (null: all), by name.</summary>
    public IReadOnlyList<string>? UseColumns { get; init; }

    /// <summary>Gets dtypes that override inference, by column.</summary>
    public IReadOnlyDictionary<string, DType>? DTypes { get; init; }

    /// <summary>Gets the partition size in bytes: files are split at line boundaries into blocks of about this size (default 64 MB; 0: one partition per file). Gzip files are never split.</summary>
    public long BlockSize { get; init; } = 64L << 20;

    /// <summary>Gets how many bytes of the first file are used to infer dtypes (default 256 kB, like Dask).</summary>
    public int SampleBytes { get; init; } = 256_000;

    /// <summary>Gets what to do with rows that cannot be parsed (default: fail).</summary>
    public BadLineAction OnBadLines { get; init; } = BadLineAction.Error;
}
