namespace Tessera.Bags.Internal;

/// <summary>How far a bag is a known chain of text operations over files: lines, lines split on whitespace, or words.</summary>
internal enum TextStage
{
    Lines,
    SplitOnWhitespace,
    Words,
}

/// <summary>
/// The text files a bag reads and the known operations applied to their lines so far. Reductions
/// that have a specialized kernel for such a chain (word frequencies) use it; every other operation
/// ignores it and works on the partition nodes.
/// </summary>
/// <param name="Paths">Each partition's file.</param>
/// <param name="Starts">Each partition's first byte.</param>
/// <param name="Ends">Each partition's last line-start byte, or -1.</param>
/// <param name="Compressions">Each partition's codec.</param>
/// <param name="Encoding">The text encoding's web name (byte-oriented encodings only).</param>
/// <param name="Stage">The operations applied so far.</param>
internal sealed record TextPipeline(string[] Paths, long[] Starts, long[] Ends, string[] Compressions, string Encoding, TextStage Stage)
{
    public TextPipeline Then(TextStage stage) => this with { Stage = stage };
}
