export type { AttributeValue, Item } from './attribute-values';
export { type CloudFormationResources, tableDefinitionsFromCloudFormation } from './cloudformation';
export type { ReadOptions, SimulatedDynamoDBOptions } from './database';
export type {
  IndexDefinition,
  KeyAttribute,
  StreamViewType,
  TableDefinition,
} from './definitions';
export { DynamoDBError } from './errors';
export {
  type Around,
  type SimulatedCall,
  simulatedRequestHandler,
  unlessAborted,
} from './request-handler';
export { simulatedClients } from './simulated-clients';
export { SimulatedDynamoDB, type TransactionHandle } from './simulated-dynamodb';
export { type TableDeclaration, tableDefinitionOf } from './table-definitions';
