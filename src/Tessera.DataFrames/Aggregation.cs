namespace Tessera.DataFrames;

/// <summary>A reduction that group-by and column reductions compute.</summary>
public enum Aggregation
{
    /// <summary>Sum of the non-missing values (0 for none).</summary>
    Sum,

    /// <summary>Mean of the non-missing values.</summary>
    Mean,

    /// <summary>Number of non-missing values.</summary>
    Count,

    /// <summary>Number of rows, missing values included (group-by only).</summary>
    Size,

    /// <summary>Smallest value.</summary>
    Min,

    /// <summary>Largest value.</summary>
    Max,

    /// <summary>Sample standard deviation (ddof = 1).</summary>
    Std,

    /// <summary>Sample variance (ddof = 1).</summary>
    Var,

    /// <summary>First non-missing value, in row order.</summary>
    First,

    /// <summary>Last non-missing value, in row order.</summary>
    Last,
}
