namespace Tessera.Graphs;

/// <summary>What a task function may do with its arguments' memory once it returns.</summary>
internal enum ArgumentUse
{
    /// <summary>Anything: it may keep an argument (or part of one) anywhere, as a user's function may.</summary>
    Unknown,

    /// <summary>Its result may share memory with an argument (a view: a transpose, a slice); nothing else keeps it.</summary>
    InResult,

    /// <summary>Neither its result nor anything else holds an argument's memory after it returns (it computes new values).</summary>
    Released,
}
