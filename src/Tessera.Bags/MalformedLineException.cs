namespace Tessera.Bags;

/// <summary>A line of an input file could not be parsed (for example malformed JSON in a JSON-lines file).</summary>
public sealed class MalformedLineException : TesseraException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="lineNumber">The 1-based number of the line in the file.</param>
    /// <param name="message">One sentence that names the file, the line and the fix.</param>
    /// <param name="innerException">The parser's exception.</param>
    public MalformedLineException(string path, long lineNumber, string message, Exception innerException)
        : base(message, innerException)
    {
        Path = path;
        LineNumber = lineNumber;
    }

    /// <summary>Gets the file that holds the line.</summary>
    public string Path { get; }

    /// <summary>Gets the 1-based number of the line in the file.</summary>
    public long LineNumber { get; }
}
