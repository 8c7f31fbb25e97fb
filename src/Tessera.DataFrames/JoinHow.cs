namespace Tessera.DataFrames;

/// <summary>How rows without a match are kept by a merge.</summary>
public enum JoinHow
{
    /// <summary>Only rows whose keys appear on both sides.</summary>
    Inner,

    /// <summary>Every left row; right columns are null where no right row matches.</summary>
    Left,

    /// <summary>Every right row; left columns are null where no left row matches.</summary>
    Right,

    /// <summary>Every row of both sides.</summary>
    Outer,
}
