using Tessera.Arrays.Kernels;

namespace Tessera.Arrays;

/// <content>Elementwise operations and reductions.</content>
public sealed partial class NDArray<TElement>
{
    /// <summary>Adds elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator +(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Add, left, right);

    /// <summary>Adds elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator +(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Add, left, Scalar(right));

    /// <summary>Adds elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator +(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Add, Scalar(left), right);

    /// <summary>Subtracts elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator -(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Subtract, left, right);

    /// <summary>Subtracts elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator -(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Subtract, left, Scalar(right));

    /// <summary>Subtracts elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator -(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Subtract, Scalar(left), right);

    /// <summary>Multiplies elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator *(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Multiply, left, right);

    /// <summary>Multiplies elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator *(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Multiply, left, Scalar(right));

    /// <summary>Multiplies elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator *(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Multiply, Scalar(left), right);

    /// <summary>Divides (C# semantics for integers) elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator /(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Divide, left, right);

    /// <summary>Divides (C# semantics for integers) elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator /(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Divide, left, Scalar(right));

    /// <summary>Divides (C# semantics for integers) elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator /(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Divide, Scalar(left), right);

    /// <summary>Takes the remainder (C# semantics) elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator %(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Remainder, left, right);

    /// <summary>Takes the remainder (C# semantics) elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator %(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Remainder, left, Scalar(right));

    /// <summary>Takes the remainder (C# semantics) elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator %(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Remainder, Scalar(left), right);

    /// <summary>Bitwise or logical and elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator &(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.And, left, right);

    /// <summary>Bitwise or logical and elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator &(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.And, left, Scalar(right));

    /// <summary>Bitwise or logical and elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator &(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.And, Scalar(left), right);

    /// <summary>Bitwise or logical or elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator |(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Or, left, right);

    /// <summary>Bitwise or logical or elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator |(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Or, left, Scalar(right));

    /// <summary>Bitwise or logical or elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator |(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Or, Scalar(left), right);

    /// <summary>Bitwise or logical exclusive or elementwise, with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator ^(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Xor, left, right);

    /// <summary>Bitwise or logical exclusive or elementwise with a scalar.</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator ^(NDArray<TElement> left, TElement right) => ArrayKernels.Binary(BinaryOp.Xor, left, Scalar(right));

    /// <summary>Bitwise or logical exclusive or elementwise with a scalar.</summary>
    /// <param name="left">The scalar.</param>
    /// <param name="right">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator ^(TElement left, NDArray<TElement> right) => ArrayKernels.Binary(BinaryOp.Xor, Scalar(left), right);

    /// <summary>Compares elementwise (less than), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator <(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Compare(CompareOp.Less, left, right);

    /// <summary>Compares elementwise with a scalar (less than).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator <(NDArray<TElement> left, TElement right) => ArrayKernels.Compare(CompareOp.Less, left, Scalar(right));

    /// <summary>Compares elementwise (greater than), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator >(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Compare(CompareOp.Greater, left, right);

    /// <summary>Compares elementwise with a scalar (greater than).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator >(NDArray<TElement> left, TElement right) => ArrayKernels.Compare(CompareOp.Greater, left, Scalar(right));

    /// <summary>Compares elementwise (less than or equal), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator <=(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Compare(CompareOp.LessOrEqual, left, right);

    /// <summary>Compares elementwise with a scalar (less than or equal).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator <=(NDArray<TElement> left, TElement right) => ArrayKernels.Compare(CompareOp.LessOrEqual, left, Scalar(right));

    /// <summary>Compares elementwise (greater than or equal), with broadcasting.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator >=(NDArray<TElement> left, NDArray<TElement> right) => ArrayKernels.Compare(CompareOp.GreaterOrEqual, left, right);

    /// <summary>Compares elementwise with a scalar (greater than or equal).</summary>
    /// <param name="left">The array.</param>
    /// <param name="right">The scalar.</param>
    /// <returns>A bool array.</returns>
    public static NDArray<bool> operator >=(NDArray<TElement> left, TElement right) => ArrayKernels.Compare(CompareOp.GreaterOrEqual, left, Scalar(right));

    /// <summary>Negates each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Negate() => ArrayKernels.Unary(UnaryOp.Negate, this);

    /// <summary>Takes the absolute value of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Abs() => ArrayKernels.Unary(UnaryOp.Abs, this);

    /// <summary>Takes the square root of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Sqrt() => ArrayKernels.Unary(UnaryOp.Sqrt, this);

    /// <summary>Exponentiates each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Exp() => ArrayKernels.Unary(UnaryOp.Exp, this);

    /// <summary>Takes the natural logarithm of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Log() => ArrayKernels.Unary(UnaryOp.Log, this);

    /// <summary>Takes the sine of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Sin() => ArrayKernels.Unary(UnaryOp.Sin, this);

    /// <summary>Takes the cosine of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Cos() => ArrayKernels.Unary(UnaryOp.Cos, this);

    /// <summary>Takes the tangent of each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Tan() => ArrayKernels.Unary(UnaryOp.Tan, this);

    /// <summary>Rounds down each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Floor() => ArrayKernels.Unary(UnaryOp.Floor, this);

    /// <summary>Rounds up each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Ceil() => ArrayKernels.Unary(UnaryOp.Ceiling, this);

    /// <summary>Rounds half to even each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Round() => ArrayKernels.Unary(UnaryOp.Round, this);

    /// <summary>Squares each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Square() => ArrayKernels.Unary(UnaryOp.Square, this);

    /// <summary>Negates logically (bitwise for integers) each element.</summary>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Not() => ArrayKernels.Unary(UnaryOp.Not, this);

    /// <summary>Negates each element.</summary>
    /// <param name="value">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator -(NDArray<TElement> value) => ArrayKernels.Unary(UnaryOp.Negate, value);

    /// <summary>Logical (bool) or bitwise (integer) negation.</summary>
    /// <param name="value">The array.</param>
    /// <returns>A new array.</returns>
    public static NDArray<TElement> operator ~(NDArray<TElement> value) => ArrayKernels.Unary(UnaryOp.Not, value);

    /// <summary>Raises to a power, elementwise with broadcasting.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Pow(NDArray<TElement> other) => ArrayKernels.Binary(BinaryOp.Power, this, other);

    /// <summary>Raises to a power, elementwise with a scalar.</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Pow(TElement other) => ArrayKernels.Binary(BinaryOp.Power, this, Scalar(other));

    /// <summary>Takes the larger (NaN wins), elementwise with broadcasting.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Maximum(NDArray<TElement> other) => ArrayKernels.Binary(BinaryOp.Maximum, this, other);

    /// <summary>Takes the larger (NaN wins), elementwise with a scalar.</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Maximum(TElement other) => ArrayKernels.Binary(BinaryOp.Maximum, this, Scalar(other));

    /// <summary>Takes the smaller (NaN wins), elementwise with broadcasting.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Minimum(NDArray<TElement> other) => ArrayKernels.Binary(BinaryOp.Minimum, this, other);

    /// <summary>Takes the smaller (NaN wins), elementwise with a scalar.</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Minimum(TElement other) => ArrayKernels.Binary(BinaryOp.Minimum, this, Scalar(other));

    /// <summary>Compares elementwise (Equal), with broadcasting.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> Equal(NDArray<TElement> other) => ArrayKernels.Compare(CompareOp.Equal, this, other);

    /// <summary>Compares elementwise with a scalar (Equal).</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> Equal(TElement other) => ArrayKernels.Compare(CompareOp.Equal, this, Scalar(other));

    /// <summary>Compares elementwise (NotEqual), with broadcasting.</summary>
    /// <param name="other">The other operand.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> NotEqual(NDArray<TElement> other) => ArrayKernels.Compare(CompareOp.NotEqual, this, other);

    /// <summary>Compares elementwise with a scalar (NotEqual).</summary>
    /// <param name="other">The scalar.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> NotEqual(TElement other) => ArrayKernels.Compare(CompareOp.NotEqual, this, Scalar(other));

    /// <summary>Tells which elements are NaN.</summary>
    /// <returns>A bool array.</returns>
    public NDArray<bool> IsNaN() => ArrayKernels.IsNaN(this);

    /// <summary>Limits the elements to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> Clip(TElement min, TElement max) => Maximum(min).Minimum(max);

    /// <summary>Sums the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> Sum(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.Sum, Axes.ToArray(axis), keepDims);

    /// <summary>Multiplies the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> Prod(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.Product, Axes.ToArray(axis), keepDims);

    /// <summary>Takes the minimum of the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> Min(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.Min, Axes.ToArray(axis), keepDims);

    /// <summary>Takes the maximum of the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> Max(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.Max, Axes.ToArray(axis), keepDims);

    /// <summary>Sums, skipping NaN, the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> NanSum(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.NanSum, Axes.ToArray(axis), keepDims);

    /// <summary>Multiplies, skipping NaN, the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> NanProd(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.NanProduct, Axes.ToArray(axis), keepDims);

    /// <summary>Takes the minimum, skipping NaN, of the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> NanMin(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.NanMin, Axes.ToArray(axis), keepDims);

    /// <summary>Takes the maximum, skipping NaN, of the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<TElement> NanMax(Axes? axis = null, bool keepDims = false) => Reductions.Reduce(this, ReduceOp.NanMax, Axes.ToArray(axis), keepDims);

    /// <summary>Tells whether any element is non-zero along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> Any(Axes? axis = null, bool keepDims = false) =>
        Reductions.Reduce(this, ReduceOp.Any, Axes.ToArray(axis), keepDims).AsType<bool>();

    /// <summary>Tells whether every element is non-zero along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>A bool array.</returns>
    public NDArray<bool> All(Axes? axis = null, bool keepDims = false) =>
        Reductions.Reduce(this, ReduceOp.All, Axes.ToArray(axis), keepDims).AsType<bool>();

    /// <summary>Averages the elements along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The means.</returns>
    public NDArray<double> Mean(Axes? axis = null, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("mean", Axes.ToArray(axis), NDim);
        return Reductions.FinishMean(Reductions.MeanPartial(this, axes, skipNaN: false), axes, keepDims);
    }

    /// <summary>Averages the elements along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The means.</returns>
    public NDArray<double> NanMean(Axes? axis = null, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("nanmean", Axes.ToArray(axis), NDim);
        return Reductions.FinishMean(Reductions.MeanPartial(this, axes, skipNaN: true), axes, keepDims);
    }

    /// <summary>Computes the variance along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom: the divisor is N - ddof.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<double> Var(Axes? axis = null, double ddof = 0, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("var", Axes.ToArray(axis), NDim);
        return Reductions.FinishVar(Reductions.MomentPartial(this, axes, skipNaN: false), axes, keepDims, ddof, sqrt: false);
    }

    /// <summary>Computes the standard deviation along axes.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom: the divisor is N - ddof.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<double> Std(Axes? axis = null, double ddof = 0, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("std", Axes.ToArray(axis), NDim);
        return Reductions.FinishVar(Reductions.MomentPartial(this, axes, skipNaN: false), axes, keepDims, ddof, sqrt: true);
    }

    /// <summary>Computes the variance along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom: the divisor is N - ddof.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<double> NanVar(Axes? axis = null, double ddof = 0, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("nanvar", Axes.ToArray(axis), NDim);
        return Reductions.FinishVar(Reductions.MomentPartial(this, axes, skipNaN: true), axes, keepDims, ddof, sqrt: false);
    }

    /// <summary>Computes the standard deviation along axes, skipping NaN.</summary>
    /// <param name="axis">The axes; null reduces every axis.</param>
    /// <param name="ddof">Delta degrees of freedom: the divisor is N - ddof.</param>
    /// <param name="keepDims">Whether to keep the reduced axes with length 1.</param>
    /// <returns>The result.</returns>
    public NDArray<double> NanStd(Axes? axis = null, double ddof = 0, bool keepDims = false)
    {
        int[] axes = Shapes.NormalizeAxes("nanstd", Axes.ToArray(axis), NDim);
        return Reductions.FinishVar(Reductions.MomentPartial(this, axes, skipNaN: true), axes, keepDims, ddof, sqrt: true);
    }

    /// <summary>Finds the index of the smallest element along one axis, or in the flattened array.</summary>
    /// <param name="axis">The axis; null searches the flattened array.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <returns>The indices.</returns>
    public NDArray<long> ArgMin(int? axis = null, bool keepDims = false)
    {
        int ax = axis is { } a ? Shapes.NormalizeAxis("argmin", a, NDim) : -1;
        long[] shape = Shapes.ToLong(ShapeArray);
        return Reductions.FinishArg(Reductions.ArgPartial(this, ax, max: false, skipNaN: false, 0, shape, new long[NDim]), ax, keepDims);
    }

    /// <summary>Finds the index of the largest element along one axis, or in the flattened array.</summary>
    /// <param name="axis">The axis; null searches the flattened array.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <returns>The indices.</returns>
    public NDArray<long> ArgMax(int? axis = null, bool keepDims = false)
    {
        int ax = axis is { } a ? Shapes.NormalizeAxis("argmax", a, NDim) : -1;
        long[] shape = Shapes.ToLong(ShapeArray);
        return Reductions.FinishArg(Reductions.ArgPartial(this, ax, max: true, skipNaN: false, 0, shape, new long[NDim]), ax, keepDims);
    }

    /// <summary>Finds the index of the smallest element (NaN skipped) along one axis, or in the flattened array.</summary>
    /// <param name="axis">The axis; null searches the flattened array.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <returns>The indices.</returns>
    public NDArray<long> NanArgMin(int? axis = null, bool keepDims = false)
    {
        int ax = axis is { } a ? Shapes.NormalizeAxis("nanargmin", a, NDim) : -1;
        long[] shape = Shapes.ToLong(ShapeArray);
        return Reductions.FinishArg(Reductions.ArgPartial(this, ax, max: false, skipNaN: true, 0, shape, new long[NDim]), ax, keepDims);
    }

    /// <summary>Finds the index of the largest element (NaN skipped) along one axis, or in the flattened array.</summary>
    /// <param name="axis">The axis; null searches the flattened array.</param>
    /// <param name="keepDims">Whether to keep the reduced axis with length 1.</param>
    /// <returns>The indices.</returns>
    public NDArray<long> NanArgMax(int? axis = null, bool keepDims = false)
    {
        int ax = axis is { } a ? Shapes.NormalizeAxis("nanargmax", a, NDim) : -1;
        long[] shape = Shapes.ToLong(ShapeArray);
        return Reductions.FinishArg(Reductions.ArgPartial(this, ax, max: true, skipNaN: true, 0, shape, new long[NDim]), ax, keepDims);
    }

    /// <summary>Running sums along an axis (the flattened array when <paramref name="axis"/> is null).</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> CumSum(int? axis = null) =>
        axis is { } a ? Cumulative<TElement>.Scan(this, Shapes.NormalizeAxis("cumsum", a, NDim), product: false) : Cumulative<TElement>.Scan(Ravel(), 0, product: false);

    /// <summary>Running products along an axis (the flattened array when <paramref name="axis"/> is null).</summary>
    /// <param name="axis">The axis, or null.</param>
    /// <returns>A new array.</returns>
    public NDArray<TElement> CumProd(int? axis = null) =>
        axis is { } a ? Cumulative<TElement>.Scan(this, Shapes.NormalizeAxis("cumprod", a, NDim), product: true) : Cumulative<TElement>.Scan(Ravel(), 0, product: true);
}
