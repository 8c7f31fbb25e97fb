namespace Tessera.Distributed.Serialization;

/// <summary>
/// The first element of every tagged value. Untagged MessagePack scalars stand for the most common
/// types: nil is null, a boolean is <see cref="bool"/>, an integer is <see cref="int"/>, a float32
/// is <see cref="float"/>, a float64 is <see cref="double"/>, a string is <see cref="string"/> and
/// a bin is a small <c>byte[]</c>. Everything else is an array whose first element is one of these.
/// </summary>
internal static class WireTags
{
    public const int Int64 = 1;
    public const int UInt32 = 2;
    public const int UInt64 = 3;
    public const int Int16 = 4;
    public const int UInt16 = 5;
    public const int Byte = 6;
    public const int SByte = 7;
    public const int Char = 8;
    public const int Decimal = 9;
    public const int DateTime = 10;
    public const int TimeSpan = 11;
    public const int Guid = 12;
    public const int DateTimeOffset = 13;
    public const int DateOnly = 14;
    public const int TimeOnly = 15;
    public const int Half = 16;
    public const int Int128 = 17;
    public const int UInt128 = 18;
    public const int IntPtr = 19;
    public const int UIntPtr = 20;

    // Scalars that are written untagged; their tags only name them in type shapes.
    public const int RawInt32 = 100;
    public const int RawDouble = 101;
    public const int RawSingle = 102;
    public const int RawBoolean = 103;
    public const int RawString = 104;

    /// <summary>[Key, name, index…].</summary>
    public const int Key = 30;

    /// <summary>[Enum, type, integer].</summary>
    public const int Enum = 31;

    /// <summary>[BulkArray, elementType, dims (int or array of ints), bin or buffer index].</summary>
    public const int BulkArray = 32;

    /// <summary>[Array, elementType, item…].</summary>
    public const int Array = 33;

    /// <summary>[Object, type, field…]: a record, class or struct, field by field.</summary>
    public const int Object = 34;

    /// <summary>[BackRef, id]: an object already written in this message.</summary>
    public const int BackRef = 35;

    /// <summary>[Collection, type, codec-specific…].</summary>
    public const int Collection = 36;

    /// <summary>[Exception, typeName, message, stackTrace, [inner…]].</summary>
    public const int Exception = 37;

    /// <summary>[Delegate, delegateType, declaringType, token, name, parameterTypes, genericArguments, target, registered].</summary>
    public const int Delegate = 38;

    /// <summary>[Custom, type, payload written by a registered serializer].</summary>
    public const int Custom = 39;

    // Type references: an int (an earlier reference in this message) or one of these arrays.
    public const int TypeNamed = 0;     // [0, assembly, fullName, mvid bin16 or nil]
    public const int TypeSzArray = 1;   // [1, element]
    public const int TypeMdArray = 2;   // [2, rank, element]
    public const int TypeGeneric = 3;   // [3, definition, argument…]

    // Graph nodes.
    public const int NodeLiteral = 0;   // [0, value]
    public const int NodeRef = 1;       // [1, key]
    public const int NodeCall = 2;      // [2, function (bin payload the first time, then its index), arg…]
    public const int NodeList = 3;      // [3, elementType, item…]
    public const int NodeTuple = 4;     // [4, type1, type2, item1, item2]
    public const int NodeDict = 5;      // [5, keyType, valueType, key, node, key, node…]

    // Function payloads.
    public const string FunctionMagic = "tessera-fn";
    public const string GraphMagic = "tessera-graph";
    public const string AssembliesMagic = "tessera-assemblies";
    public const int FormatVersion = 1;
    public const int FunctionClosure = 0;  // [magic, version, name, 0, delegate]
    public const int FunctionNamed = 1;    // [magic, version, name, 1, registeredName]
}
