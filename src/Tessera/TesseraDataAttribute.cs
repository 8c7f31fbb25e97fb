namespace Tessera;

/// <summary>
/// Marks a type of a Tessera library whose instance fields are plain data (numbers, arrays of
/// numbers, strings, other such types), so that the distributed runtime may send its values
/// between processes field by field. Types of Tessera libraries without it never travel as values.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class TesseraDataAttribute : Attribute
{
}
