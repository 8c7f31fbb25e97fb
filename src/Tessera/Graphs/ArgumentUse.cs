namespace Tessera.Graphs;

/// <summary>
/// What a task function may do with its arguments' memory once it returns. The items of an argument
/// that is a list (or tuple, or dictionary) count as that argument's memory: a function declared
/// <see cref="Released"/> keeps nothing of a list's elements either.
/// </summary>
internal enum ArgumentUse
{
    /// <summary>Anything: it may keep an argument (or part of one) anywhere, as a user's function may.</summary>
    Unknown,

    /// <summary>Its result may share memory with an argument (a view: a transpose, a slice); nothing else keeps it.</summary>
    InResult,

    /// <summary>Neither its result nor anything else holds an argument's memory after it returns (it computes new values).</summary>
    Released,
}
