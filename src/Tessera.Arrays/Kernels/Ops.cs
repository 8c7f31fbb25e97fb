namespace Tessera.Arrays.Kernels;

/// <summary>An elementwise operation on two arrays of one element type.</summary>
internal enum BinaryOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Power,
    Maximum,
    Minimum,
    And,
    Or,
    Xor,
}

/// <summary>An elementwise comparison giving a bool array.</summary>
internal enum CompareOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>An elementwise function of one array.</summary>
internal enum UnaryOp
{
    Negate,
    Abs,
    Sqrt,
    Exp,
    Log,
    Sin,
    Cos,
    Tan,
    Floor,
    Ceiling,
    Round,
    Not,
    Square,
}

/// <summary>A reduction over axes.</summary>
internal enum ReduceOp
{
    Sum,
    Product,
    Min,
    Max,
    NanSum,
    NanProduct,
    NanMin,
    NanMax,
    Any,
    All,
}

internal static class OpNames
{
    public static string Name(BinaryOp op) => op switch
    {
        BinaryOp.Add => "add",
        BinaryOp.Subtract => "subtract",
        BinaryOp.Multiply => "multiply",
        BinaryOp.Divide => "divide",
        BinaryOp.Remainder => "remainder",
        BinaryOp.Power => "power",
        BinaryOp.Maximum => "maximum",
        BinaryOp.Minimum => "minimum",
        BinaryOp.And => "logical_and",
        BinaryOp.Or => "logical_or",
        _ => "logical_xor",
    };

    public static string Name(CompareOp op) => op switch
    {
        CompareOp.Equal => "equal",
        CompareOp.NotEqual => "not_equal",
        CompareOp.Less => "less",
        CompareOp.LessOrEqual => "less_equal",
        CompareOp.Greater => "greater",
        _ => "greater_equal",
    };

    public static string Name(UnaryOp op) => op switch
    {
        UnaryOp.Negate => "negative",
        UnaryOp.Abs => "absolute",
        UnaryOp.Sqrt => "sqrt",
        UnaryOp.Exp => "exp",
        UnaryOp.Log => "log",
        UnaryOp.Sin => "sin",
        UnaryOp.Cos => "cos",
        UnaryOp.Tan => "tan",
        UnaryOp.Floor => "floor",
        UnaryOp.Ceiling => "ceil",
        UnaryOp.Round => "round",
        UnaryOp.Not => "logical_not",
        _ => "square",
    };

    public static string Name(ReduceOp op) => op switch
    {
        ReduceOp.Sum => "sum",
        ReduceOp.Product => "prod",
        ReduceOp.Min => "min",
        ReduceOp.Max => "max",
        ReduceOp.NanSum => "nansum",
        ReduceOp.NanProduct => "nanprod",
        ReduceOp.NanMin => "nanmin",
        ReduceOp.NanMax => "nanmax",
        ReduceOp.Any => "any",
        _ => "all",
    };
}
